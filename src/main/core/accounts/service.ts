import { NewAccount, type Account } from '../../../shared/types';
import type { CoreEvents } from '../events';
import type { SecretBox } from '../secrets/secret-box';
import type { Store } from '../store';
import type { AccountUpdate } from '../../../shared/contract/app';
import { badRequest, notFound, PimlicoError, errorMessage } from '../util/errors';
import { newId } from '../util/ids';

/** Where each kind keeps its secrets; the rest of the settings are stored as plain JSON. */
const SECRET_PATHS: Record<string, string[]> = {
  imap: ['imap.password', 'smtp.password', 'caldav.password', 'carddav.password'],
  graph: [],
  local: [],
};

function takeSecrets(input: Record<string, unknown>, paths: string[]): { settings: Record<string, unknown>; secrets: Record<string, string> } {
  const settings = structuredClone(input);
  const secrets: Record<string, string> = {};
  for (const path of paths) {
    const [section, key] = path.split('.') as [string, string];
    const holder = settings[section] as Record<string, unknown> | undefined;
    if (holder && typeof holder[key] === 'string') {
      secrets[path] = holder[key] as string;
      delete holder[key];
    }
  }
  return { settings, secrets };
}

const UPDATABLE_SERVICES = ['imap', 'smtp', 'caldav', 'carddav'] as const;

export const LOCAL_FOLDERS = [
  { path: 'Inbox', role: 'inbox' },
  { path: 'Drafts', role: 'drafts' },
  { path: 'Sent', role: 'sent' },
  { path: 'Archive', role: 'archive' },
  { path: 'Trash', role: 'trash' },
] as const;

export class AccountsService {
  constructor(
    private readonly store: Store,
    private readonly secretBox: SecretBox,
    private readonly events: CoreEvents,
    private readonly now: () => number,
  ) {}

  list(): Account[] {
    return this.store.accounts.list();
  }

  get(id: string): Account {
    const a = this.store.accounts.get(id);
    if (!a) throw notFound('Account', id);
    return a;
  }

  /** The account a request means: the given id, or the default one. */
  resolve(id?: string | null): Account {
    if (id) return this.get(id);
    const a = this.store.accounts.default();
    if (!a) throw new PimlicoError('NotFound', 'There is no account yet');
    return a;
  }

  create(input: NewAccount): { id: string } {
    const parsed = NewAccount.parse(input);
    const id = newId('acc');
    const { kind, displayName, email, ...rest } = parsed;
    const { settings, secrets } = takeSecrets(rest as Record<string, unknown>, SECRET_PATHS[kind] ?? []);
    this.store.transaction(() => {
      this.store.accounts.insert({ id, kind, displayName, email, settings, now: this.now() });
      for (const [name, value] of Object.entries(secrets)) this.store.secrets.put(id, name, this.secretBox.encrypt(value));
      if (kind === 'local') this.seedLocal(id, displayName);
    });
    this.events.emit('store.changed', { entities: ['accounts', 'folders', 'events', 'contacts'], accountId: id });
    return { id };
  }

  /** The Local account's folders, calendar and address book: it works with no server at all. */
  private seedLocal(accountId: string, name: string): void {
    for (const f of LOCAL_FOLDERS) this.store.mail.upsertFolder({ accountId, path: f.path, name: f.path, role: f.role });
    this.store.pim.insertCalendar({ id: newId('cal'), accountId, name: `${name} calendar`, color: '#2563eb' });
    this.store.pim.insertAddressBook({ id: newId('abk'), accountId, name: `${name} contacts` });
  }

  /** On first start there is always one account, so the app is useful before any server is set up. */
  ensureLocalAccount(): void {
    if (this.store.accounts.list().length === 0) this.create({ kind: 'local', displayName: 'Local', email: '' });
  }

  remove(id: string): void {
    if (!this.store.accounts.remove(id)) throw notFound('Account', id);
    this.events.emit('store.changed', { entities: ['accounts', 'folders', 'mail', 'events', 'contacts', 'outbox'] });
  }

  setDefault(id: string): void {
    if (!this.store.accounts.setDefault(id)) throw notFound('Account', id);
    this.events.emit('store.changed', { entities: ['accounts'] });
  }

  /**
   * New name, passwords or trusted certificate fingerprints for a saved account. Checks everything
   * before writing anything, so a bad request changes nothing. Dropping the cached provider (so the
   * next sync signs in with the new credentials) is the caller's job: see Core.reloadAccount.
   */
  update(input: AccountUpdate): void {
    const account = this.get(input.id);
    const settings = structuredClone(account.settings);
    const secrets: Array<[string, string]> = [];
    for (const service of UPDATABLE_SERVICES) {
      const change = input[service];
      if (!change) continue;
      if (account.kind !== 'imap') throw badRequest(`A ${account.kind} account has no ${service} credentials to change`);
      const endpoint = settings[service] as Record<string, unknown> | undefined;
      if (!endpoint || typeof endpoint !== 'object') throw badRequest(`This account has no ${service} server configured`);
      if (change.password !== undefined) secrets.push([`${service}.password`, change.password]);
      if (change.trustedCertFingerprint === null) delete endpoint['trustedCertFingerprint'];
      else if (change.trustedCertFingerprint !== undefined) endpoint['trustedCertFingerprint'] = change.trustedCertFingerprint;
    }
    this.store.transaction(() => {
      if (input.displayName !== undefined && input.displayName !== account.displayName) this.store.accounts.rename(account.id, input.displayName);
      this.store.accounts.updateSettings(account.id, settings);
      for (const [name, value] of secrets) this.setSecret(account.id, name, value);
    });
    this.events.emit('store.changed', { entities: ['accounts'], accountId: account.id });
  }

  secret(accountId: string, name: string): string | undefined {
    const c = this.store.secrets.get(accountId, name);
    return c ? this.secretBox.decrypt(c) : undefined;
  }

  setSecret(accountId: string, name: string, value: string): void {
    this.store.secrets.put(accountId, name, this.secretBox.encrypt(value));
  }

  markSyncing(id: string): void {
    this.store.accounts.setStatus(id, 'syncing', null);
    this.events.emit('store.changed', { entities: ['accounts'], accountId: id });
  }

  /** After a cycle: ok, or the failure (a refused sign-in is for the user to fix, not a transient error). */
  markSynced(id: string, err?: unknown): void {
    if (err) this.store.accounts.setStatus(id, err instanceof PimlicoError && err.code === 'Unauthorized' ? 'needs-sign-in' : 'error', errorMessage(err));
    else this.store.accounts.setStatus(id, 'ok', null, this.now());
    this.events.emit('store.changed', { entities: ['accounts', 'folders', 'mail', 'events', 'contacts'], accountId: id });
  }
}
