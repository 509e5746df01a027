import { openDatabase, type Db, type OpenOptions } from './database';
import { AccountsRepo, SecretsRepo, SettingsRepo } from './accounts';
import { MailRepo } from './mail';
import { PimRepo } from './pim';
import { OutboxRepo, TasksRepo } from './queue';

export { openDatabase, migrate, schemaVersion, type Db } from './database';
export type { NewMessage, NewAttachment, StoredFolder, FolderSyncState, RemoteRef } from './mail';
export type { StoredEvent, StoredContact, StoredCalendar } from './pim';
export type { StoredTask, StoredOutboxEntry } from './queue';
export { taskInfo } from './queue';

/** The local cache: the single source of truth the UI reads. One SQLite file per profile. */
export class Store {
  readonly accounts: AccountsRepo;
  readonly secrets: SecretsRepo;
  readonly settings: SettingsRepo;
  readonly mail: MailRepo;
  readonly pim: PimRepo;
  readonly tasks: TasksRepo;
  readonly outbox: OutboxRepo;

  constructor(readonly db: Db) {
    this.accounts = new AccountsRepo(db);
    this.secrets = new SecretsRepo(db);
    this.settings = new SettingsRepo(db);
    this.mail = new MailRepo(db);
    this.pim = new PimRepo(db);
    this.tasks = new TasksRepo(db);
    this.outbox = new OutboxRepo(db);
  }

  static open(file: string, options?: OpenOptions): Store {
    return new Store(openDatabase(file, options));
  }

  /** Runs fn in one transaction: batched writes are both faster and atomic across a crash. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
