import { ContactInput, type TaskInfo } from '../../../shared/types';
import type { Store, StoredContact } from '../store';
import type { TaskQueue } from '../tasks/queue';
import { stripUndefined } from '../calendar/service';
import { badRequest, notFound, PimlicoError } from '../util/errors';
import { newId } from '../util/ids';
import { contactColumns, contactToData } from './columns';
import { buildVCard, parseVCards, type ContactData, type ContactPhoto, type ParsedContact } from '../pim';
import { safeFilename } from '../calendar/service';
import { decodePhotoUpload } from './photo';

export type DuplicateChoice = 'merge' | 'skip' | 'keepBoth';

export interface VcfDuplicate {
  /** Position of the card in the imported file. */
  index: number;
  incomingName: string;
  existingId: string;
  existingName: string;
  /** Why they look like the same person. */
  reason: 'uid' | 'email' | 'name';
}

export interface ImportVcfResult {
  created: number;
  merged: number;
  skipped: number;
  duplicates: VcfDuplicate[];
  contactIds: string[];
}

export interface ContactGroup {
  /** The group's contact id for KIND:group cards, else `category:<name>`. */
  id: string;
  name: string;
  source: 'kind' | 'category';
  members: { contactId: string; name: string; address: string | null }[];
}

const normEmail = (a: string) => a.trim().toLowerCase();

/** Input fields of a parsed card, as the store keeps them. */
type ContactFields = ReturnType<typeof ContactInput.parse>;

function inputOf(d: ContactData): ContactFields {
  const { uid: _uid, ...fields } = contactColumns(d);
  return ContactInput.parse(fields);
}

/** Incoming details added to an existing contact: lists are unioned, empty fields filled, nothing overwritten. */
export function mergeContact(existing: StoredContact, incoming: ContactFields): Partial<ContactInput> {
  const emails = [...existing.emails];
  for (const e of incoming.emails) if (!emails.some((x) => normEmail(x.address) === normEmail(e.address))) emails.push(e);
  const digits = (n: string) => n.replace(/[^\d+]/g, '');
  const phones = [...existing.phones];
  for (const p of incoming.phones) if (!phones.some((x) => digits(x.number) === digits(p.number))) phones.push(p);
  const addresses = [...existing.addresses];
  for (const a of incoming.addresses) if (!addresses.some((x) => x.street === a.street && x.locality === a.locality && x.postalCode === a.postalCode)) addresses.push(a);
  const categories = [...new Set([...existing.categories, ...incoming.categories])];
  const fill = (mine: string, theirs: string) => mine || theirs;
  return {
    emails,
    phones,
    addresses,
    categories,
    givenName: fill(existing.givenName, incoming.givenName),
    surname: fill(existing.surname, incoming.surname),
    company: fill(existing.company, incoming.company),
    jobTitle: fill(existing.jobTitle, incoming.jobTitle),
    birthday: existing.birthday ?? incoming.birthday,
    notes: existing.notes && incoming.notes && !existing.notes.includes(incoming.notes) ? `${existing.notes}\n\n${incoming.notes}` : fill(existing.notes, incoming.notes),
  };
}

function displayNameOf(c: { displayName: string; givenName: string; surname: string; emails: { address: string }[]; company: string }): string {
  return c.displayName.trim() || [c.givenName, c.surname].filter(Boolean).join(' ').trim() || c.company || c.emails[0]?.address || '';
}

/** Contact operations shared by the UI contract and the REST API. Writes go through the task queue. */
export class ContactsService {
  constructor(
    private readonly store: Store,
    private readonly tasks: TaskQueue,
    private readonly now: () => number,
  ) {}

  addressBooks(accountId?: string) {
    return this.store.pim.addressBooks(accountId).map(({ id, accountId: a, name, readOnly }) => ({ id, accountId: a, name, readOnly }));
  }

  list(q: { addressBookId?: string; query?: string; limit: number }): StoredContact[] {
    return this.store.pim.contacts(q);
  }

  get(id: string): StoredContact {
    const c = this.store.pim.contact(id);
    if (!c) throw notFound('Contact', id);
    return c;
  }

  private writableBook(addressBookId: string) {
    const book = this.store.pim.addressBooks().find((b) => b.id === addressBookId);
    if (!book) throw notFound('Address book', addressBookId);
    if (book.readOnly) throw new PimlicoError('Forbidden', `Address book '${book.name}' is read-only`);
    return book;
  }

  create(addressBookId: string, input: ContactInput): { contact: StoredContact; task: TaskInfo } {
    const book = this.writableBook(addressBookId);
    const data = ContactInput.parse(input);
    const now = this.now();
    const contact: StoredContact = {
      ...data,
      displayName: displayNameOf(data),
      id: newId('con'),
      addressBookId,
      accountId: book.accountId,
      uid: `urn:uuid:${newId('c').slice(2)}`,
      createdAt: now,
      updatedAt: now,
      remoteId: null,
      etag: null,
      vcard: null,
    };
    const task = this.tasks.enqueue(book.accountId, 'pim.putContact', { contact, previous: null });
    return { contact, task };
  }

  update(id: string, patch: Partial<ContactInput>): { contact: StoredContact; task: TaskInfo } {
    const previous = this.get(id);
    this.writableBook(previous.addressBookId);
    const merged = ContactInput.parse({ ...previous, ...stripUndefined(patch) });
    const contact: StoredContact = {
      ...previous,
      ...merged,
      displayName: patch.displayName !== undefined ? displayNameOf(merged) : previous.displayName || displayNameOf(merged),
      updatedAt: Math.max(this.now(), previous.updatedAt + 1),
    };
    const task = this.tasks.enqueue(previous.accountId, 'pim.putContact', { contact, previous });
    return { contact, task };
  }

  delete(id: string): TaskInfo {
    const contact = this.get(id);
    this.writableBook(contact.addressBookId);
    return this.tasks.enqueue(contact.accountId, 'pim.deleteContact', { contact });
  }

  private allIn(addressBookId?: string): StoredContact[] {
    return this.store.pim.contacts({ ...(addressBookId ? { addressBookId } : {}), limit: 1_000_000 });
  }

  /** An existing contact that is likely the same person: same UID, a shared email, or the same name with no emails. */
  findDuplicate(addressBookId: string, incoming: { uid: string; displayName: string; emails: { address: string }[] }, pool?: StoredContact[]): { contact: StoredContact; reason: VcfDuplicate['reason'] } | null {
    const candidates = pool ?? this.allIn(addressBookId);
    const byUid = candidates.find((c) => c.uid === incoming.uid);
    if (byUid) return { contact: byUid, reason: 'uid' };
    const emails = new Set(incoming.emails.map((e) => normEmail(e.address)));
    const byEmail = emails.size ? candidates.find((c) => c.emails.some((e) => emails.has(normEmail(e.address)))) : undefined;
    if (byEmail) return { contact: byEmail, reason: 'email' };
    const name = incoming.displayName.trim().toLowerCase();
    const byName = name ? candidates.find((c) => c.displayName.trim().toLowerCase() === name && (c.emails.length === 0 || emails.size === 0)) : undefined;
    return byName ? { contact: byName, reason: 'name' } : null;
  }

  /**
   * Imports a .vcf file (vCard 2.1/3/4, one or many cards). `onDuplicate: 'ask'` writes nothing and lists the
   * duplicates so the user can choose; `choices` picks per card (by index), overriding `onDuplicate`.
   */
  importVcf(addressBookId: string, text: string, opts: { onDuplicate: DuplicateChoice | 'ask'; choices?: Record<string, DuplicateChoice> }): ImportVcfResult {
    const book = this.writableBook(addressBookId);
    const cards: ParsedContact[] = parseVCards(text);
    const pool = this.allIn(addressBookId);
    const result: ImportVcfResult = { created: 0, merged: 0, skipped: 0, duplicates: [], contactIds: [] };
    const plans: { contact: StoredContact; previous: StoredContact | null }[] = [];
    const now = this.now();
    cards.forEach((card, index) => {
      const input = inputOf(card.data);
      const dup = this.findDuplicate(addressBookId, card.data, pool);
      if (dup) {
        result.duplicates.push({ index, incomingName: displayNameOf(input), existingId: dup.contact.id, existingName: dup.contact.displayName, reason: dup.reason });
        const choice = opts.choices?.[String(index)] ?? opts.onDuplicate;
        if (choice === 'ask' || choice === 'skip') {
          result.skipped++;
          return;
        }
        if (choice === 'merge') {
          const merged = ContactInput.parse({ ...dup.contact, ...mergeContact(dup.contact, input) });
          const contact: StoredContact = { ...dup.contact, ...merged, updatedAt: Math.max(now, dup.contact.updatedAt + 1) };
          plans.push({ contact, previous: dup.contact });
          Object.assign(dup.contact, contact);
          result.merged++;
          result.contactIds.push(contact.id);
          return;
        }
      }
      const keepUid = !dup || dup.reason !== 'uid';
      const uid = keepUid ? card.data.uid : `urn:uuid:${newId('c').slice(2)}`;
      const contact: StoredContact = {
        ...input,
        displayName: displayNameOf(input),
        id: newId('con'),
        addressBookId,
        accountId: book.accountId,
        uid,
        createdAt: now,
        updatedAt: now,
        remoteId: null,
        etag: null,
        // The card as the other application wrote it, so export keeps what Pimlico does not show (photo, X- fields).
        vcard: keepUid ? card.original : null,
      };
      plans.push({ contact, previous: null });
      pool.push(contact);
      result.created++;
      result.contactIds.push(contact.id);
    });
    if (opts.onDuplicate === 'ask' && result.duplicates.length && !opts.choices) {
      return { ...result, created: 0, merged: 0, skipped: cards.length, contactIds: [] };
    }
    this.store.transaction(() => {
      for (const p of plans) this.tasks.enqueue(book.accountId, 'pim.putContact', p);
    });
    return result;
  }

  /** One contact as vCard text: the stored card patched with Pimlico's fields, or a new card. */
  vcardOf(c: StoredContact, version?: '3.0' | '4.0'): string {
    const original = c.vcard ? safeParse(c.vcard) : undefined;
    const base = original?.data;
    const data = contactToData(c, base ?? null);
    return buildVCard(data, { ...(original ? { original: original.original } : {}), ...(version ? { version } : {}) });
  }

  /** .vcf text of some contacts (ids), an address book, or every contact. */
  exportVcf(q: { ids?: string[]; addressBookId?: string; version?: '3.0' | '4.0' }): { filename: string; text: string; count: number } {
    const contacts = q.ids ? q.ids.map((id) => this.get(id)) : this.allIn(q.addressBookId);
    const text = contacts.map((c) => this.vcardOf(c, q.version)).join('');
    const name = contacts.length === 1 ? contacts[0]!.displayName || 'contact' : q.addressBookId ? (this.addressBooks().find((b) => b.id === q.addressBookId)?.name ?? 'contacts') : 'contacts';
    return { filename: `${safeFilename(name)}.vcf`, text, count: contacts.length };
  }

  /**
   * Sets (an uploaded image, see decodePhotoUpload) or removes (null) the contact's photo. The photo lives
   * in the stored vCard, so the task carries the whole card: the server gets PHOTO in the card's own
   * version (vCard 4 data: URI, vCard 3 ENCODING=b) and undo puts the previous card back.
   */
  setPhoto(id: string, upload: string | null): { contact: StoredContact; task: TaskInfo } {
    const previous = this.get(id);
    this.writableBook(previous.addressBookId);
    const photo = upload === null ? null : decodePhotoUpload(upload);
    const original = previous.vcard ? safeParse(previous.vcard) : undefined;
    const data = { ...contactToData(previous, original?.data ?? null), photo };
    // A card Pimlico writes first is vCard 3.0, the version every CardDAV server accepts.
    const vcard = buildVCard(data, original ? { original: original.original } : { version: '3.0' });
    const contact: StoredContact = { ...previous, vcard, updatedAt: Math.max(this.now(), previous.updatedAt + 1) };
    const task = this.tasks.enqueue(previous.accountId, 'pim.putContact', { contact, previous });
    return { contact, task };
  }

  /** Photos read from a server that keeps them outside the vCard (Graph), by contact and version; bounded. */
  private readonly remotePhotos = new Map<string, string | null>();

  /**
   * The contact's photo, from its vCard or, for a contact the server keeps without one (Graph), fetched once
   * per server version of the contact. A contact whose card has no photo was cleared here: nothing is fetched.
   * An unreachable server shows no photo this time and is asked again next time.
   */
  async photoWithRemote(id: string, fetchRemote?: (remoteId: string) => Promise<ContactPhoto | null>): Promise<string | null> {
    const local = this.photo(id);
    const c = this.get(id);
    if (local || c.vcard !== null || !c.remoteId || !fetchRemote) return local;
    const key = `${c.id}:${c.etag ?? ''}`;
    if (this.remotePhotos.has(key)) return this.remotePhotos.get(key) ?? null;
    let url: string | null;
    try {
      const photo = await fetchRemote(c.remoteId);
      url = photo && 'base64' in photo ? `data:${photo.mediaType};base64,${photo.base64}` : null;
    } catch {
      return null;
    }
    if (this.remotePhotos.size >= 5000) this.remotePhotos.clear();
    this.remotePhotos.set(key, url);
    return url;
  }

  /** The contact's photo as a data: URL (or its https URI), from the stored vCard. */
  photo(id: string): string | null {
    const c = this.get(id);
    const photo = c.vcard ? safeParse(c.vcard)?.data.photo : null;
    if (!photo) return null;
    if ('uri' in photo) return /^(https:|data:image\/)/i.test(photo.uri) ? photo.uri : null;
    return `data:${photo.mediaType || 'image/jpeg'};base64,${photo.base64}`;
  }

  /** Groups: vCard 4 KIND:group cards (members by UID) and CATEGORIES shared by contacts. */
  groups(addressBookId?: string): ContactGroup[] {
    const all = this.allIn(addressBookId);
    const byUid = new Map(all.map((c) => [c.uid.replace(/^urn:uuid:/i, ''), c]));
    const memberOf = (c: StoredContact) => ({ contactId: c.id, name: c.displayName, address: c.emails[0]?.address ?? null });
    const out: ContactGroup[] = [];
    for (const g of all.filter((c) => c.kind === 'group')) {
      const members = g.members.map((m) => byUid.get(m.replace(/^urn:uuid:/i, '').replace(/^mailto:/i, ''))).filter((c): c is StoredContact => !!c);
      out.push({ id: g.id, name: g.displayName || '(group)', source: 'kind', members: members.map(memberOf) });
    }
    const categories = new Map<string, StoredContact[]>();
    for (const c of all) {
      if (c.kind === 'group') continue;
      for (const cat of c.categories) {
        const key = cat.trim();
        if (!key) continue;
        categories.set(key, [...(categories.get(key) ?? []), c]);
      }
    }
    for (const [name, members] of [...categories].sort(([a], [b]) => a.localeCompare(b))) {
      out.push({ id: `category:${name}`, name, source: 'category', members: members.map(memberOf) });
    }
    return out;
  }

  /**
   * Adds a message's sender (or any address) to an address book, or returns the contact that already has it.
   * Without an explicit book the contact goes to the account the mail came from, so it syncs to that
   * account's server; only an account without a writable book falls back to any other.
   */
  addAddress(input: { name: string; address: string; addressBookId?: string; accountId?: string }): { contact: StoredContact; created: boolean } {
    const address = input.address.trim();
    if (!/^[^\s@]+@[^\s@]+$/.test(address)) throw badRequest(`'${address}' is not an email address`);
    const existing = this.allIn().find((c) => c.emails.some((e) => normEmail(e.address) === normEmail(address)));
    if (existing) return { contact: existing, created: false };
    const book = input.addressBookId
      ? this.writableBook(input.addressBookId)
      : ((input.accountId ? this.store.pim.addressBooks(input.accountId).find((b) => !b.readOnly) : undefined) ??
        this.store.pim.addressBooks().find((b) => !b.readOnly));
    if (!book) throw new PimlicoError('NotFound', 'There is no address book to add the contact to');
    const name = input.name.trim();
    const [givenName, ...rest] = name.split(/\s+/);
    const { contact } = this.create(book.id, { displayName: name, givenName: name ? (givenName ?? '') : '', surname: rest.join(' '), emails: [{ type: 'other', address }] });
    return { contact, created: true };
  }
}

function safeParse(text: string): ParsedContact | undefined {
  try {
    return parseVCards(text)[0];
  } catch {
    return undefined;
  }
}
