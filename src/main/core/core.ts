import { join } from 'node:path';
import { calls, type CallName, type RemoteError } from '../../shared/contract';
import { createHandlers, type Handlers } from './handlers';
import { ZodError } from 'zod';
import { AccountsService } from './accounts/service';
import { CalendarService } from './calendar/service';
import { ContactsService } from './contacts/service';
import { CoreEvents, DisposableStore } from './events';
import { MailService } from './mail/service';
import { OutboxWorker } from './mail/outbox';
import { defaultProviders } from './providers/registry';
import { RetryableError, type AccountProvider, type ProviderFactory } from './providers/types';
import type { SecretBox } from './secrets/secret-box';
import { Store } from './store';
import { SyncEngine } from './sync/engine';
import { Poller } from './poller/poller';
import { TaskQueue } from './tasks/queue';
import { PimlicoError, errorMessage } from './util/errors';
import { consoleLogger, type Logger } from './util/log';
import type { AccountKind } from '../../shared/types';

export interface CoreOptions {
  dataDir: string;
  secretBox: SecretBox;
  mode: 'electron' | 'headless';
  version?: string;
  log?: Logger;
  now?: () => number;
  providers?: Partial<Record<AccountKind, ProviderFactory>>;
  /**
   * Opens a URL in the user's browser (the desktop shell: shell.openExternal). Without it, Microsoft
   * sign-in uses the device code instead of the browser.
   */
  openExternal?: (url: string) => Promise<void>;
  /** Background sync interval; 0 disables the background timer (tests drive sync explicitly). */
  syncIntervalMs?: number;
}


/**
 * The whole application without Electron: store, providers, task queue, sync engine and every
 * contract call. The Electron shell and headless mode are thin transports around one of these.
 */
export class Core {
  readonly store: Store;
  readonly events = new CoreEvents();
  readonly log: Logger;
  readonly now: () => number;
  readonly accounts: AccountsService;
  readonly mail: MailService;
  readonly calendar: CalendarService;
  readonly contacts: ContactsService;
  readonly tasks: TaskQueue;
  readonly outbox: OutboxWorker;
  readonly sync: SyncEngine;
  /** Background trigger poller: notifications, ledger, rules, approval replies (runs after each sync). */
  readonly poller: Poller;
  /** The REST API this process serves, if any (headless mode always; the desktop app when switched on). */
  apiState: { running: boolean; url: string | null; error: string | null } = { running: false, url: null, error: null };
  private readonly providers = new Map<string, AccountProvider>();
  private readonly factories: Partial<Record<AccountKind, ProviderFactory>>;
  private readonly disposables = new DisposableStore();
  private readonly handlers: Handlers;

  constructor(readonly options: CoreOptions) {
    this.log = options.log ?? consoleLogger('core');
    this.now = options.now ?? Date.now;
    this.factories = { ...defaultProviders, ...options.providers };
    this.store = Store.open(join(options.dataDir, 'pimlico.sqlite3'));
    const providerFor = (id: string) => this.provider(id);
    this.accounts = new AccountsService(this.store, options.secretBox, this.events, this.now);
    this.tasks = new TaskQueue(this.store, this.events, providerFor, this.log.child('tasks'), this.now);
    this.outbox = new OutboxWorker(this.store, this.events, providerFor, this.log.child('outbox'), this.now);
    this.mail = new MailService(this.store, this.tasks, this.events, this.now);
    this.calendar = new CalendarService(this.store, this.tasks, this.events, this.now);
    this.contacts = new ContactsService(this.store, this.tasks, this.now);
    this.sync = new SyncEngine(this.accounts, providerFor, this.tasks, this.outbox, this.log.child('sync'), this.now, options.syncIntervalMs ?? 120_000);
    this.disposables.add(this.sync);
    this.accounts.ensureLocalAccount();
    this.poller = this.disposables.add(new Poller(this));
    this.handlers = this.createHandlers();
  }

  /** Starts background work: sync timers for every account. */
  start(): void {
    if (this.options.syncIntervalMs === 0) return;
    this.poller.start();
    for (const a of this.accounts.list()) this.sync.start(a.id);
  }

  provider(accountId: string): AccountProvider | undefined {
    const cached = this.providers.get(accountId);
    if (cached) return cached;
    const account = this.store.accounts.get(accountId);
    if (!account) return undefined;
    const factory = this.factories[account.kind];
    if (!factory) return undefined;
    const provider = factory({
      account,
      store: this.store,
      events: this.events,
      log: this.log.child(`${account.kind}:${account.id}`),
      now: this.now,
      secret: (name) => this.accounts.secret(account.id, name),
      setSecret: (name, value) => this.accounts.setSecret(account.id, name, value),
    });
    this.providers.set(accountId, provider);
    return provider;
  }

  /** Stops the account's background work and provider, then deletes it and its cache. */
  async removeAccount(accountId: string): Promise<void> {
    this.accounts.get(accountId);
    await this.dropProvider(accountId);
    this.accounts.remove(accountId);
  }

  /**
   * Forgets the account's cached provider (closing its connections) and restarts its background
   * sync, so the next sync signs in with the account's current settings and secrets.
   */
  async reloadAccount(accountId: string): Promise<void> {
    this.accounts.get(accountId);
    // A cycle still running with the old credentials must end first, or the next sync would join it.
    this.sync.stop(accountId);
    await this.sync.settled(accountId);
    await this.dropProvider(accountId);
    if (this.options.syncIntervalMs !== 0) this.sync.start(accountId);
  }

  private async dropProvider(accountId: string): Promise<void> {
    this.sync.stop(accountId);
    const p = this.providers.get(accountId);
    this.providers.delete(accountId);
    await p?.close().catch(() => undefined);
  }

  /** The one entry point for every contract call: validates the request, runs it, validates the answer. */
  async handle(name: string, payload: unknown): Promise<unknown> {
    if (!Object.hasOwn(calls, name)) throw new PimlicoError('BadRequest', `Unknown call '${name}'`);
    const spec = calls[name as CallName];
    const parsed = spec.request.safeParse(payload ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
      throw new PimlicoError('BadRequest', `Invalid request for ${name}${where}: ${issue?.message ?? 'invalid'}`, parsed.error.issues);
    }
    const handler = this.handlers[name as CallName] as (req: unknown) => unknown;
    const result = await handler(parsed.data);
    const checked = spec.response.safeParse(result);
    if (!checked.success) {
      this.log.error('handler answered outside its contract', { call: name, issues: checked.error.issues.slice(0, 3) });
      throw new PimlicoError('Internal', `Internal error in ${name}`);
    }
    return checked.data;
  }

  private createHandlers(): Handlers {
    return createHandlers(this);
  }

  /** The calls that have a handler; the contract test checks this equals every declared call. */
  handledCalls(): string[] {
    return Object.keys(this.handlers);
  }

  async close(): Promise<void> {
    this.disposables.dispose();
    await this.tasks.idle();
    await this.outbox.idle();
    await this.sync.idle();
    await this.poller.idle();
    for (const id of [...this.providers.keys()]) await this.dropProvider(id);
    this.store.close();
  }
}

/** Turns any thrown value into the error shape that crosses the boundary, never leaking internals. */
export function toRemoteError(err: unknown): RemoteError {
  if (err instanceof PimlicoError) return { code: err.code, message: err.message };
  if (err instanceof RetryableError) return { code: 'Unavailable', message: err.message };
  if (err instanceof ZodError) {
    const issue = err.issues[0];
    return { code: 'BadRequest', message: `Invalid input${issue?.path.length ? ` at ${issue.path.join('.')}` : ''}: ${issue?.message ?? ''}` };
  }
  return { code: 'Internal', message: `Internal error: ${errorMessage(err)}` };
}
