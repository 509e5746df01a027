import type { Contact } from '../../../../shared/types';
import { sniffImageType } from '../../contacts/photo';
import { buildVCard, parseVCards, type ContactPhoto } from '../../pim';
import type { StoredContact, StoredTask } from '../../store';
import { DeleteContactPayload, PutContactPayload } from '../../tasks/pim-kinds';
import { PimlicoError } from '../../util/errors';
import { newId } from '../../util/ids';
import type { ProviderPart } from '../compose';
import type { ProviderContext, SyncCounts } from '../types';
import { GraphHttpError, SignInRequiredError, taskError, type GraphClient } from './http';

type PhysicalAddress = { street?: string | null; city?: string | null; state?: string | null; postalCode?: string | null; countryOrRegion?: string | null };

export interface GraphContact {
  id: string;
  '@removed'?: { reason: string };
  changeKey?: string;
  displayName?: string | null;
  givenName?: string | null;
  surname?: string | null;
  emailAddresses?: { name?: string | null; address?: string | null }[];
  mobilePhone?: string | null;
  homePhones?: string[];
  businessPhones?: string[];
  homeAddress?: PhysicalAddress;
  businessAddress?: PhysicalAddress;
  otherAddress?: PhysicalAddress;
  companyName?: string | null;
  jobTitle?: string | null;
  birthday?: string | null;
  personalNotes?: string | null;
  categories?: string[];
  createdDateTime?: string;
  lastModifiedDateTime?: string;
}

const CONTACT_SELECT =
  'displayName,givenName,surname,emailAddresses,mobilePhone,homePhones,businessPhones,homeAddress,businessAddress,otherAddress,companyName,jobTitle,birthday,personalNotes,categories,changeKey,createdDateTime,lastModifiedDateTime';

const enc = encodeURIComponent;

/** The card with its photo replaced (or removed), everything else as it was. */
function withPhoto(vcard: string, photo: ContactPhoto | null): string {
  try {
    const parsed = parseVCards(vcard)[0];
    return parsed ? buildVCard({ ...parsed.data, photo }, { original: parsed.original }) : vcard;
  } catch {
    return vcard;
  }
}

function photoIn(vcard: string | null): ContactPhoto | null {
  if (!vcard) return null;
  try {
    return parseVCards(vcard)[0]?.data.photo ?? null;
  } catch {
    return null;
  }
}

function samePhoto(a: ContactPhoto | null, b: ContactPhoto | null): boolean {
  if (!a || !b) return a === b;
  return 'uri' in a ? 'uri' in b && a.uri === b.uri : 'base64' in b && a.base64 === b.base64 && a.mediaType === b.mediaType;
}
/** Stands for the default contact folder while its id is unknown (it has no contact yet). */
const DEFAULT_FOLDER = 'contacts';

function hasAddress(a: PhysicalAddress | undefined): a is PhysicalAddress {
  return !!a && Object.values(a).some((v) => typeof v === 'string' && v !== '');
}

/** Contacts over Graph: the default folder and its subfolders, contacts delta per folder, CRUD. */
export class GraphContactsPart implements ProviderPart {
  readonly name = 'graph-contacts';

  constructor(
    private readonly ctx: ProviderContext,
    private readonly client: GraphClient,
  ) {}

  handles(kind: string): boolean {
    return kind === 'pim.putContact' || kind === 'pim.deleteContact';
  }

  private get accountId(): string {
    return this.ctx.account.id;
  }

  /** The default contact folder's id: the parent of any contact in /me/contacts, else its well-known name. */
  private async defaultFolder(): Promise<string> {
    const page = await this.client.get<{ value: { parentFolderId?: string }[] }>('/me/contacts?$top=1&$select=parentFolderId');
    return page.value[0]?.parentFolderId ?? DEFAULT_FOLDER;
  }

  async sync(): Promise<SyncCounts> {
    const { store } = this.ctx;
    const defaultId = await this.defaultFolder();
    const subfolders = await this.client.all<{ id: string; displayName: string }>('/me/contactFolders?$top=100');
    const remote = [{ id: defaultId, displayName: 'Contacts' }, ...subfolders];
    store.transaction(() => {
      const local = store.pim.addressBooks(this.accountId);
      const ids = new Set(remote.map((r) => r.id));
      // The default folder may first be known as 'contacts', then by its real id: keep the book.
      const wellKnown = local.find((b) => b.remoteId === DEFAULT_FOLDER);
      if (wellKnown && defaultId !== DEFAULT_FOLDER) store.db.prepare('UPDATE address_books SET remote_id = ? WHERE id = ?').run(defaultId, wellKnown.id);
      for (const b of store.pim.addressBooks(this.accountId)) if (b.remoteId && !ids.has(b.remoteId)) store.pim.removeAddressBook(b.id);
      for (const r of remote) {
        const existing = store.pim.addressBooks(this.accountId).find((b) => b.remoteId === r.id);
        if (existing) store.pim.updateAddressBook(existing.id, { name: r.displayName });
        else store.pim.insertAddressBook({ id: newId('abk'), accountId: this.accountId, name: r.displayName, remoteId: r.id });
      }
    });
    let changed = 0;
    for (const book of store.pim.addressBooks(this.accountId)) {
      if (!book.remoteId) continue;
      changed += await this.syncBook(book.id, book.remoteId, book.syncToken);
    }
    if (changed) this.ctx.events.emit('store.changed', { entities: ['contacts'], accountId: this.accountId });
    return { contacts: changed };
  }

  private async syncBook(bookId: string, remoteId: string, token: string | null): Promise<number> {
    if (remoteId === DEFAULT_FOLDER) {
      // The default folder's id is known only once it holds a contact; until then it is empty.
      return this.runDelta(bookId, `/me/contacts?$select=${CONTACT_SELECT}`, true);
    }
    const initial = `/me/contactFolders/${enc(remoteId)}/contacts/delta?$select=${CONTACT_SELECT}`;
    try {
      return await this.runDelta(bookId, token ?? initial, token === null);
    } catch (err) {
      if (err instanceof GraphHttpError && err.status === 410) {
        this.ctx.log.info('contacts delta token expired; full resync', { addressBook: bookId });
        return this.runDelta(bookId, initial, true);
      }
      throw err;
    }
  }

  private pendingContactIds(): Set<string> {
    const ids = new Set<string>();
    for (const t of this.ctx.store.tasks.due(this.accountId, Number.MAX_SAFE_INTEGER)) {
      if (t.kind !== 'pim.putContact' && t.kind !== 'pim.deleteContact') continue;
      const p = t.payload as { contact?: StoredContact; previous?: StoredContact | null };
      if (p.contact) ids.add(p.contact.id);
      if (p.previous) ids.add(p.previous.id);
    }
    return ids;
  }

  private async runDelta(bookId: string, start: string, full: boolean): Promise<number> {
    const { store } = this.ctx;
    let next: string | undefined = start;
    let deltaLink: string | undefined;
    const seen = new Set<string>();
    let changed = 0;
    while (next) {
      const page: { value: GraphContact[]; '@odata.nextLink'?: string; '@odata.deltaLink'?: string } = await this.client.get(next, 'odata.maxpagesize=100');
      const pending = this.pendingContactIds();
      // A contact changed on the server whose card is kept here (a photo set here, an imported card): its
      // photo may have been set, changed or removed in Outlook too (the contact's JSON does not say), so the
      // server's photo goes into the kept card. Contacts without a kept card read it when shown.
      const serverPhotos = new Map<string, ContactPhoto | null>();
      for (const c of page.value) {
        const existing = c['@removed'] ? undefined : store.pim.contactByRemoteId(bookId, c.id);
        if (!existing?.vcard || pending.has(existing.id) || existing.etag === c.changeKey) continue;
        serverPhotos.set(c.id, await this.fetchPhoto(c.id));
      }
      store.transaction(() => {
        for (const c of page.value) {
          const existing = store.pim.contactByRemoteId(bookId, c.id);
          if (existing && pending.has(existing.id)) {
            seen.add(c.id);
            continue;
          }
          if (c['@removed']) {
            if (existing) {
              store.pim.removeContact(existing.id);
              changed++;
            }
            continue;
          }
          seen.add(c.id);
          if (existing?.etag && existing.etag === c.changeKey) continue;
          const stored = this.toStored(bookId, c, existing);
          if (stored.vcard && serverPhotos.has(c.id)) stored.vcard = withPhoto(stored.vcard, serverPhotos.get(c.id)!);
          store.pim.upsertContact(stored);
          changed++;
        }
      });
      next = page['@odata.nextLink'];
      deltaLink = page['@odata.deltaLink'] ?? deltaLink;
      if (next) this.client.checkLink(next);
    }
    if (deltaLink) this.client.checkLink(deltaLink);
    store.transaction(() => {
      if (full) {
        const pending = this.pendingContactIds();
        for (const c of store.pim.contacts({ addressBookId: bookId, limit: Number.MAX_SAFE_INTEGER })) {
          if (c.remoteId && !seen.has(c.remoteId) && !pending.has(c.id)) {
            store.pim.removeContact(c.id);
            changed++;
          }
        }
      }
      store.pim.updateAddressBook(bookId, { syncToken: deltaLink ?? null });
    });
    return changed;
  }

  toStored(bookId: string, c: GraphContact, existing: StoredContact | undefined): StoredContact {
    const now = this.ctx.now();
    const addr = (type: 'home' | 'work' | 'other', a: PhysicalAddress) => ({
      type,
      street: a.street ?? '',
      locality: a.city ?? '',
      region: a.state ?? '',
      postalCode: a.postalCode ?? '',
      country: a.countryOrRegion ?? '',
    });
    const addresses: Contact['addresses'] = [];
    if (hasAddress(c.homeAddress)) addresses.push(addr('home', c.homeAddress));
    if (hasAddress(c.businessAddress)) addresses.push(addr('work', c.businessAddress));
    if (hasAddress(c.otherAddress)) addresses.push(addr('other', c.otherAddress));
    const birthday = c.birthday && /^\d{4}-\d{2}-\d{2}/.test(c.birthday) ? c.birthday.slice(0, 10) : null;
    return {
      id: existing?.id ?? newId('con'),
      addressBookId: bookId,
      accountId: this.accountId,
      uid: existing?.uid ?? c.id,
      kind: 'individual',
      displayName: c.displayName ?? [c.givenName, c.surname].filter(Boolean).join(' '),
      givenName: c.givenName ?? '',
      surname: c.surname ?? '',
      emails: (c.emailAddresses ?? []).filter((e) => e.address).map((e) => ({ type: 'other', address: e.address! })),
      phones: [
        ...(c.mobilePhone ? [{ type: 'mobile' as const, number: c.mobilePhone }] : []),
        ...(c.homePhones ?? []).map((n) => ({ type: 'home' as const, number: n })),
        ...(c.businessPhones ?? []).map((n) => ({ type: 'work' as const, number: n })),
      ],
      addresses,
      company: c.companyName ?? '',
      jobTitle: c.jobTitle ?? '',
      birthday,
      notes: c.personalNotes ?? '',
      categories: c.categories ?? [],
      members: [],
      createdAt: existing?.createdAt ?? (Date.parse(c.createdDateTime ?? '') || now),
      updatedAt: Date.parse(c.lastModifiedDateTime ?? '') || now,
      remoteId: c.id,
      etag: c.changeKey ?? null,
      // Graph's contact has no vCard: the stored one holds what Pimlico keeps beside it (the photo set here, an imported card).
      vcard: existing?.vcard ?? null,
    };
  }

  toGraph(c: StoredContact): Record<string, unknown> {
    const phys = (type: string) => {
      const a = c.addresses.find((x) => x.type === type);
      return a ? { street: a.street, city: a.locality, state: a.region, postalCode: a.postalCode, countryOrRegion: a.country } : {};
    };
    return {
      displayName: c.displayName,
      givenName: c.givenName,
      surname: c.surname,
      emailAddresses: c.emails.map((e) => ({ name: c.displayName || e.address, address: e.address })),
      mobilePhone: c.phones.find((p) => p.type === 'mobile')?.number ?? null,
      homePhones: c.phones.filter((p) => p.type === 'home').map((p) => p.number),
      businessPhones: c.phones.filter((p) => p.type === 'work' || p.type === 'other').map((p) => p.number),
      homeAddress: phys('home'),
      businessAddress: phys('work'),
      otherAddress: phys('other'),
      companyName: c.company,
      jobTitle: c.jobTitle,
      birthday: c.birthday && /^\d{4}-\d{2}-\d{2}$/.test(c.birthday) ? `${c.birthday}T00:00:00Z` : null,
      personalNotes: c.notes,
      categories: c.categories,
    };
  }

  async applyTask(task: StoredTask): Promise<void> {
    try {
      if (task.kind === 'pim.putContact') {
        const { contact, previous } = PutContactPayload.parse(task.payload);
        return await this.putContact(contact, previous);
      }
      if (task.kind === 'pim.deleteContact') return await this.deleteContact(DeleteContactPayload.parse(task.payload).contact);
    } catch (err) {
      if (err instanceof SignInRequiredError || err instanceof PimlicoError) throw err;
      throw taskError(err);
    }
    throw new PimlicoError('Internal', `The Graph contacts part does not handle ${task.kind}`);
  }

  private async putContact(contact: StoredContact, previous: StoredContact | null): Promise<void> {
    const book = this.ctx.store.pim.addressBooks(this.accountId).find((b) => b.id === contact.addressBookId);
    if (!book?.remoteId) return;
    let saved: GraphContact | null = null;
    if (contact.remoteId) {
      try {
        saved = await this.client.patch<GraphContact>(`/me/contacts/${enc(contact.remoteId)}`, this.toGraph(contact));
      } catch (err) {
        // Gone on the server: a restore (undo of a delete, etag cleared) creates it again; an edit is a conflict.
        if (!(err instanceof GraphHttpError && err.status === 404) || contact.etag !== null) throw err;
      }
    }
    saved ??= await this.client.post<GraphContact>(book.remoteId === DEFAULT_FOLDER ? '/me/contacts' : `/me/contactFolders/${enc(book.remoteId)}/contacts`, this.toGraph(contact));
    let changeKey = saved.changeKey ?? null;
    const photo = photoIn(contact.vcard);
    if (!samePhoto(photo, photoIn(previous?.vcard ?? null))) {
      const pushed = await this.pushPhoto(saved.id, photo);
      // A photo write gives the contact a new changeKey; knowing it keeps the next delta from reading it back.
      if (pushed) changeKey = (await this.client.get<GraphContact>(`/me/contacts/${enc(saved.id)}?$select=changeKey`)).changeKey ?? changeKey;
    }
    const current = this.ctx.store.pim.contact(contact.id);
    if (current) this.ctx.store.pim.upsertContact({ ...current, remoteId: saved.id, etag: changeKey });
  }

  /** The contact's profilePhoto (set in Outlook or here), checked by its bytes; null when it has none or it is not an image. */
  async fetchPhoto(remoteId: string): Promise<ContactPhoto | null> {
    const res = await this.client.request<unknown>('GET', `/me/contacts/${enc(remoteId)}/photo/$value`, { bytesResponse: true, accept: [404] });
    if (res.status === 404 || !Buffer.isBuffer(res.body)) return null;
    const mediaType = sniffImageType(res.body);
    return mediaType ? { mediaType, base64: res.body.toString('base64') } : null;
  }

  /** The contact's profilePhoto on Graph set to the vCard's photo, or removed. False when there was nothing Graph can take (a photo URI). */
  private async pushPhoto(remoteId: string, photo: ContactPhoto | null): Promise<boolean> {
    const path = `/me/contacts/${enc(remoteId)}/photo/$value`;
    if (photo && 'uri' in photo) return false;
    if (photo) {
      await this.client.request('PUT', path, { binary: { bytes: Buffer.from(photo.base64, 'base64'), contentType: photo.mediaType } });
      return true;
    }
    const res = await this.client.request('DELETE', path, { accept: [404] });
    return res.status !== 404;
  }

  private async deleteContact(contact: StoredContact): Promise<void> {
    if (!contact.remoteId) return;
    try {
      await this.client.delete(`/me/contacts/${enc(contact.remoteId)}`);
    } catch (err) {
      if (err instanceof GraphHttpError && err.status === 404) return;
      throw err;
    }
  }

  async close(): Promise<void> {
    // Plain HTTP: nothing held open.
  }
}
