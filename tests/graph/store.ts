/**
 * In-memory mailbox state: users, mail folders, messages, calendars, events, contacts.
 *
 * Every item has an immutable key (its ImmutableId) and a REST id. Graph's default
 * REST ids of messages change when a message moves to another folder; ImmutableIds
 * (requested with `Prefer: IdType="ImmutableId"`) do not. Graph accepts either form
 * in URLs regardless of the Prefer header, and so does the emulator.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { itemNotFound, malformedId } from './response';
import type {
  Attendee,
  FollowupFlag,
  Importance,
  InternetMessageHeader,
  ItemBody,
  Location,
  PatternedRecurrence,
  PhysicalAddress,
  Recipient,
  ResponseStatus,
  FreeBusyStatus,
  Sensitivity,
  SingleValueExtendedProperty,
  EmailAddress,
} from './types';

// ---------------------------------------------------------------------------
// Ids

export type IdKind = 'message' | 'folder' | 'event' | 'calendar' | 'contact' | 'contactFolder' | 'attachment';
const KIND_TAG: Record<IdKind, string> = {
  message: 'M',
  folder: 'F',
  event: 'E',
  calendar: 'C',
  contact: 'P',
  contactFolder: 'D',
  attachment: 'A',
};

/** Opaque, case-sensitive, URL-safe base64 ids with '=' padding, like Graph's. */
export function newId(kind: IdKind, immutable = false): string {
  return `${immutable ? 'AAkALg' : 'AAMkAG'}${KIND_TAG[kind]}${randomBytes(30).toString('base64url')}AAA=`;
}

/** Graph answers ErrorInvalidIdMalformed (400) for ids that cannot be decoded at all. */
export function looksLikeId(s: string): boolean {
  return /^[A-Za-z0-9_-]{16,}=*$/.test(s);
}

export function newChangeKey(): string {
  return randomBytes(15).toString('base64');
}

const OCC_PREFIX = 'AAMkAGO';
/** Occurrence ids encode the series master id and the occurrence's original start. */
export function occurrenceId(masterId: string, originalStartMs: number): string {
  return `${OCC_PREFIX}${Buffer.from(JSON.stringify([masterId, originalStartMs])).toString('base64url')}=`;
}
export function parseOccurrenceId(id: string): { masterId: string; start: number } | null {
  if (!id.startsWith(OCC_PREFIX)) return null;
  try {
    const v: unknown = JSON.parse(
      Buffer.from(id.slice(OCC_PREFIX.length).replace(/=+$/, ''), 'base64url').toString('utf8'),
    );
    if (Array.isArray(v) && typeof v[0] === 'string' && typeof v[1] === 'number') {
      return { masterId: v[0], start: v[1] };
    }
  } catch {
    // fall through
  }
  return null;
}

let seqCounter = 0;
/** Monotonic creation order, used as a deterministic tie-breaker when sorting. */
export const nextSeq = (): number => ++seqCounter;

// ---------------------------------------------------------------------------
// Records

export interface UserRec {
  id: string;
  upn: string;
  mail: string;
  displayName: string;
  givenName: string;
  surname: string;
}

export interface FolderRec {
  id: string;
  displayName: string;
  parentId: string;
  isHidden: boolean;
  wellKnown: string | null;
  changeKey: string;
}

export interface AttachmentRec {
  id: string;
  name: string;
  contentType: string;
  isInline: boolean;
  contentId: string | null;
  lastModifiedMs: number;
  bytes: Buffer;
}

export interface MessageContent {
  subject: string;
  body: ItemBody;
  from: Recipient | null;
  sender: Recipient | null;
  toRecipients: Recipient[];
  ccRecipients: Recipient[];
  bccRecipients: Recipient[];
  replyTo: Recipient[];
  isRead: boolean;
  isDraft: boolean;
  importance: Importance;
  flag: FollowupFlag;
  categories: string[];
  inferenceClassification: 'focused' | 'other';
  isDeliveryReceiptRequested: boolean;
  isReadReceiptRequested: boolean;
  internetMessageHeaders: InternetMessageHeader[];
  singleValueExtendedProperties: SingleValueExtendedProperty[];
  internetMessageId: string;
  /** The Internet Message-ID a reply answers (createReply/replyAll); delivery turns it into In-Reply-To. */
  inReplyTo?: string | null;
  conversationId: string;
  conversationIndex: string;
  createdMs: number;
  lastModifiedMs: number;
  receivedMs: number;
  sentMs: number;
  attachments: AttachmentRec[];
}

export interface MessageRec extends MessageContent {
  key: string;
  restId: string;
  seq: number;
  folderId: string;
  changeKey: string;
  /** Set while a deferred send waits in the Outbox. */
  deferredUntil: number | null;
}

export interface CalendarRec {
  id: string;
  name: string;
  color: string;
  hexColor: string;
  isDefault: boolean;
  changeKey: string;
}

/** Event properties an exception (modified occurrence) can carry independently of its series. */
export interface EventCore {
  subject: string;
  body: ItemBody;
  startUtc: number;
  endUtc: number;
  startTz: string;
  endTz: string;
  isAllDay: boolean;
  location: Location;
  locations: Location[];
  attendees: Attendee[];
  showAs: FreeBusyStatus;
  importance: Importance;
  sensitivity: Sensitivity;
  isReminderOn: boolean;
  reminderMinutesBeforeStart: number;
  categories: string[];
  responseStatus: ResponseStatus;
  isCancelled: boolean;
}

export interface ExceptionRec {
  core: EventCore;
  changeKey: string;
  lastModifiedMs: number;
}

export interface EventRec extends EventCore {
  key: string;
  restId: string;
  seq: number;
  calendarId: string;
  changeKey: string;
  createdMs: number;
  lastModifiedMs: number;
  organizer: Recipient;
  isOrganizer: boolean;
  responseRequested: boolean;
  allowNewTimeProposals: boolean;
  isOnlineMeeting: boolean;
  hideAttendees: boolean;
  iCalUId: string;
  transactionId: string | null;
  recurrence: PatternedRecurrence | null;
  /** Modified occurrences, by original start (UTC ms). */
  exceptions: Map<number, ExceptionRec>;
  /** Deleted occurrences, by original start (UTC ms). */
  cancelledOccurrences: Set<number>;
}

export interface ContactFolderRec {
  id: string;
  displayName: string;
  parentId: string;
}

export interface ContactData {
  givenName: string | null;
  middleName: string | null;
  surname: string | null;
  displayName: string;
  fileAs: string;
  initials: string | null;
  nickName: string | null;
  title: string | null;
  generation: string | null;
  yomiGivenName: string | null;
  yomiSurname: string | null;
  yomiCompanyName: string | null;
  emailAddresses: EmailAddress[];
  imAddresses: string[];
  mobilePhone: string | null;
  homePhones: string[];
  businessPhones: string[];
  jobTitle: string | null;
  companyName: string | null;
  department: string | null;
  officeLocation: string | null;
  profession: string | null;
  businessHomePage: string | null;
  assistantName: string | null;
  manager: string | null;
  spouseName: string | null;
  children: string[];
  birthday: string | null;
  personalNotes: string;
  categories: string[];
  homeAddress: PhysicalAddress;
  businessAddress: PhysicalAddress;
  otherAddress: PhysicalAddress;
}

export interface ContactRec extends ContactData {
  key: string;
  restId: string;
  seq: number;
  folderId: string;
  changeKey: string;
  createdMs: number;
  lastModifiedMs: number;
}

// ---------------------------------------------------------------------------
// Mailbox

/** Well-known mail folder names (Graph accepts them case-insensitively in place of ids). */
const DEFAULT_FOLDERS: ReadonlyArray<[wellKnown: string, displayName: string]> = [
  ['archive', 'Archive'],
  ['conversationhistory', 'Conversation History'],
  ['deleteditems', 'Deleted Items'],
  ['drafts', 'Drafts'],
  ['inbox', 'Inbox'],
  ['junkemail', 'Junk Email'],
  ['outbox', 'Outbox'],
  ['sentitems', 'Sent Items'],
];

function requireLookup<T>(id: string, found: T | undefined): T {
  if (found) return found;
  throw looksLikeId(id) ? itemNotFound() : malformedId();
}

export class Mailbox {
  readonly user: UserRec;
  readonly folders = new Map<string, FolderRec>();
  readonly rootFolderId: string;
  readonly messages = new Map<string, MessageRec>();
  private readonly messageRest = new Map<string, string>();
  readonly calendars = new Map<string, CalendarRec>();
  readonly defaultCalendarId: string;
  readonly events = new Map<string, EventRec>();
  private readonly eventRest = new Map<string, string>();
  readonly contactFolders = new Map<string, ContactFolderRec>();
  readonly defaultContactFolderId: string;
  readonly contacts = new Map<string, ContactRec>();
  private readonly contactRest = new Map<string, string>();

  constructor(user: UserRec) {
    this.user = user;
    const root: FolderRec = {
      id: newId('folder'),
      displayName: 'Top of Information Store',
      parentId: newId('folder'),
      isHidden: false,
      wellKnown: 'msgfolderroot',
      changeKey: newChangeKey(),
    };
    this.folders.set(root.id, root);
    this.rootFolderId = root.id;
    for (const [wellKnown, displayName] of DEFAULT_FOLDERS) {
      this.addFolder(displayName, root.id, false, wellKnown);
    }
    const cal: CalendarRec = {
      id: newId('calendar'),
      name: 'Calendar',
      color: 'auto',
      hexColor: '',
      isDefault: true,
      changeKey: newChangeKey(),
    };
    this.calendars.set(cal.id, cal);
    this.defaultCalendarId = cal.id;
    const contacts: ContactFolderRec = {
      id: newId('contactFolder'),
      displayName: 'Contacts',
      parentId: newId('contactFolder'),
    };
    this.contactFolders.set(contacts.id, contacts);
    this.defaultContactFolderId = contacts.id;
  }

  // ---- mail folders

  addFolder(
    displayName: string,
    parentId: string,
    isHidden = false,
    wellKnown: string | null = null,
  ): FolderRec {
    const f: FolderRec = {
      id: newId('folder'),
      displayName,
      parentId,
      isHidden,
      wellKnown,
      changeKey: newChangeKey(),
    };
    this.folders.set(f.id, f);
    return f;
  }

  findFolder(idOrName: string): FolderRec | undefined {
    const byId = this.folders.get(idOrName);
    if (byId) return byId;
    const name = idOrName.toLowerCase();
    for (const f of this.folders.values()) if (f.wellKnown === name) return f;
    return undefined;
  }

  requireFolder(idOrName: string): FolderRec {
    return requireLookup(idOrName, this.findFolder(idOrName));
  }

  wellKnown(name: string): FolderRec {
    const f = this.findFolder(name);
    if (!f) throw new Error(`no well-known folder ${name}`);
    return f;
  }

  childFolders(parentId: string, includeHidden: boolean): FolderRec[] {
    return [...this.folders.values()]
      .filter((f) => f.parentId === parentId && (includeHidden || !f.isHidden))
      .sort((a, b) => a.displayName.localeCompare(b.displayName));
  }

  /** All folders below the root (the mailbox's folder hierarchy). */
  allFolders(includeHidden: boolean): FolderRec[] {
    const out: FolderRec[] = [];
    const walk = (parentId: string): void => {
      for (const f of this.childFolders(parentId, includeHidden)) {
        out.push(f);
        walk(f.id);
      }
    };
    walk(this.rootFolderId);
    return out;
  }

  deleteFolder(folder: FolderRec): void {
    for (const child of this.childFolders(folder.id, true)) this.deleteFolder(child);
    for (const m of this.messagesIn(folder.id)) this.removeMessage(m);
    this.folders.delete(folder.id);
  }

  // ---- messages

  messagesIn(folderId: string): MessageRec[] {
    return [...this.messages.values()].filter((m) => m.folderId === folderId);
  }

  findMessage(id: string): MessageRec | undefined {
    return this.messages.get(id) ?? this.messages.get(this.messageRest.get(id) ?? '');
  }

  requireMessage(id: string): MessageRec {
    return requireLookup(id, this.findMessage(id));
  }

  addMessage(content: MessageContent, folderId: string): MessageRec {
    const rec: MessageRec = {
      ...content,
      key: newId('message', true),
      restId: newId('message'),
      seq: nextSeq(),
      folderId,
      changeKey: newChangeKey(),
      deferredUntil: null,
    };
    this.messages.set(rec.key, rec);
    this.messageRest.set(rec.restId, rec.key);
    return rec;
  }

  /** Moving changes the REST id (not the ImmutableId), as Exchange does. */
  moveMessage(rec: MessageRec, folderId: string): void {
    if (rec.folderId === folderId) return;
    this.messageRest.delete(rec.restId);
    rec.restId = newId('message');
    this.messageRest.set(rec.restId, rec.key);
    rec.folderId = folderId;
    touch(rec);
  }

  removeMessage(rec: MessageRec): void {
    this.messages.delete(rec.key);
    this.messageRest.delete(rec.restId);
  }

  // ---- calendars & events

  findCalendar(id: string): CalendarRec | undefined {
    return this.calendars.get(id);
  }

  requireCalendar(id: string): CalendarRec {
    return requireLookup(id, this.findCalendar(id));
  }

  addCalendar(name: string): CalendarRec {
    const c: CalendarRec = {
      id: newId('calendar'),
      name,
      color: 'auto',
      hexColor: '',
      isDefault: false,
      changeKey: newChangeKey(),
    };
    this.calendars.set(c.id, c);
    return c;
  }

  eventsIn(calendarId: string): EventRec[] {
    return [...this.events.values()].filter((e) => e.calendarId === calendarId);
  }

  findEvent(id: string): EventRec | undefined {
    return this.events.get(id) ?? this.events.get(this.eventRest.get(id) ?? '');
  }

  /** Resolves an event id, or an occurrence id to its series master plus original start. */
  requireEventOrOccurrence(id: string): { master: EventRec; occurrence: number | null } {
    const occ = parseOccurrenceId(id);
    if (occ) {
      const master = this.findEvent(occ.masterId);
      if (master && !master.cancelledOccurrences.has(occ.start)) return { master, occurrence: occ.start };
      throw itemNotFound();
    }
    return { master: requireLookup(id, this.findEvent(id)), occurrence: null };
  }

  addEvent(data: Omit<EventRec, 'key' | 'restId' | 'seq' | 'changeKey'>): EventRec {
    const rec: EventRec = {
      ...data,
      key: newId('event', true),
      restId: newId('event'),
      seq: nextSeq(),
      changeKey: newChangeKey(),
    };
    this.events.set(rec.key, rec);
    this.eventRest.set(rec.restId, rec.key);
    return rec;
  }

  removeEvent(rec: EventRec): void {
    this.events.delete(rec.key);
    this.eventRest.delete(rec.restId);
  }

  // ---- contacts

  findContactFolder(idOrName: string): ContactFolderRec | undefined {
    // 'contacts' addresses the default folder, like a well-known name.
    if (idOrName.toLowerCase() === 'contacts') return this.contactFolders.get(this.defaultContactFolderId);
    return this.contactFolders.get(idOrName);
  }

  requireContactFolder(idOrName: string): ContactFolderRec {
    return requireLookup(idOrName, this.findContactFolder(idOrName));
  }

  addContactFolder(displayName: string, parentId: string): ContactFolderRec {
    const f: ContactFolderRec = { id: newId('contactFolder'), displayName, parentId };
    this.contactFolders.set(f.id, f);
    return f;
  }

  contactsIn(folderId: string): ContactRec[] {
    return [...this.contacts.values()].filter((c) => c.folderId === folderId);
  }

  findContact(id: string): ContactRec | undefined {
    return this.contacts.get(id) ?? this.contacts.get(this.contactRest.get(id) ?? '');
  }

  requireContact(id: string): ContactRec {
    return requireLookup(id, this.findContact(id));
  }

  addContact(data: ContactData, folderId: string, now: number): ContactRec {
    const rec: ContactRec = {
      ...data,
      key: newId('contact', true),
      restId: newId('contact'),
      seq: nextSeq(),
      folderId,
      changeKey: newChangeKey(),
      createdMs: now,
      lastModifiedMs: now,
    };
    this.contacts.set(rec.key, rec);
    this.contactRest.set(rec.restId, rec.key);
    return rec;
  }

  removeContact(rec: ContactRec): void {
    this.contacts.delete(rec.key);
    this.contactRest.delete(rec.restId);
  }
}

/** Records a modification: new changeKey and lastModifiedDateTime (what delta compares). */
export function touch(rec: { changeKey: string; lastModifiedMs: number }): void {
  rec.changeKey = newChangeKey();
  rec.lastModifiedMs = Date.now();
}

// ---------------------------------------------------------------------------
// Users

export class Store {
  readonly mailboxes = new Map<string, Mailbox>();
  private readonly tokens = new Map<string, string>();

  addUser(upn: string, displayName?: string): Mailbox {
    if (this.findUser(upn)) throw new Error(`user ${upn} already exists`);
    const local = upn.split('@')[0] ?? upn;
    const parts = local
      .split(/[._-]/)
      .filter((p) => p.length > 0)
      .map((p) => p[0]?.toUpperCase() + p.slice(1));
    const user: UserRec = {
      id: randomUUID(),
      upn,
      mail: upn,
      displayName: displayName ?? (parts.join(' ') || upn),
      givenName: parts[0] ?? local,
      surname: parts.slice(1).join(' '),
    };
    const mb = new Mailbox(user);
    this.mailboxes.set(user.id, mb);
    return mb;
  }

  setToken(token: string, userId: string): void {
    this.tokens.set(token, userId);
  }

  revokeToken(token: string): void {
    this.tokens.delete(token);
  }

  byToken(token: string): Mailbox | undefined {
    const id = this.tokens.get(token);
    return id ? this.mailboxes.get(id) : undefined;
  }

  /** Users are addressable by object id or UPN (case-insensitive), as in /users/{id | userPrincipalName}. */
  findUser(idOrUpn: string): Mailbox | undefined {
    const byId = this.mailboxes.get(idOrUpn);
    if (byId) return byId;
    const lower = idOrUpn.toLowerCase();
    for (const mb of this.mailboxes.values()) if (mb.user.upn.toLowerCase() === lower) return mb;
    return undefined;
  }

  byAddress(address: string): Mailbox | undefined {
    const lower = address.toLowerCase();
    for (const mb of this.mailboxes.values()) {
      if (mb.user.mail.toLowerCase() === lower || mb.user.upn.toLowerCase() === lower) return mb;
    }
    return undefined;
  }

  requireUser(idOrUpn: string): Mailbox {
    const mb = this.findUser(idOrUpn);
    if (!mb) throw new Error(`unknown emulated user ${idOrUpn}`);
    return mb;
  }
}
