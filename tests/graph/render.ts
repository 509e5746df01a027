/**
 * Records -> Graph JSON, and the per-entity specs ($select/$filter/$orderby) over them.
 */
import { elementProp, scalar, type CollectionField, type EntitySpec, type ScalarField } from './odata';
import {
  occurrenceId,
  type AttachmentRec,
  type CalendarRec,
  type ContactFolderRec,
  type ContactRec,
  type EventCore,
  type EventRec,
  type FolderRec,
  type Mailbox,
  type MessageRec,
} from './store';
import { formatWall, iso7, isoSeconds, toDttz } from './time';
import type {
  EventType,
  GraphCalendar,
  GraphContact,
  GraphContactFolder,
  GraphEvent,
  GraphFileAttachment,
  GraphMailFolder,
  GraphMessage,
  GraphUser,
  ItemBody,
  JsonObject,
  Recipient,
} from './types';

/** How the caller asked to see things (Prefer header). */
export interface View {
  immutable: boolean;
  /** Zone for event start/end; Graph answers in UTC unless `Prefer: outlook.timezone` says otherwise. */
  tz: string;
  bodyType: 'text' | 'html' | null;
}

export const DEFAULT_VIEW: View = { immutable: false, tz: 'UTC', bodyType: null };

// ---------------------------------------------------------------------------
// Bodies

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  '#39': "'",
  nbsp: ' ',
  apos: "'",
};

export function htmlToText(html: string): string {
  return html
    .replace(/<(style|script|head)[^>]*>[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|tr|li|h\d)>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&(amp|lt|gt|quot|#39|nbsp|apos);/g, (_, e: string) => ENTITIES[e] ?? '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function textToHtml(text: string): string {
  return `<html><head>\r\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\r\n</head>\r\n<body>\r\n<div>${escapeHtml(text).replace(/\r?\n/g, '<br>\r\n')}</div>\r\n</body>\r\n</html>\r\n`;
}

/** Applies `Prefer: outlook.body-content-type`. */
export function convertBody(body: ItemBody, want: 'text' | 'html' | null): ItemBody {
  if (!want || want === body.contentType) return body;
  return want === 'text'
    ? { contentType: 'text', content: htmlToText(body.content) }
    : { contentType: 'html', content: textToHtml(body.content) };
}

/** bodyPreview: the first 255 characters of the text body. */
export function preview(body: ItemBody): string {
  const text = body.contentType === 'html' ? htmlToText(body.content) : body.content;
  return text.replace(/\s+/g, ' ').trim().slice(0, 255);
}

// ---------------------------------------------------------------------------
// Users & mail

export function renderUser(mb: Mailbox): GraphUser {
  const u = mb.user;
  return {
    businessPhones: [],
    displayName: u.displayName,
    givenName: u.givenName,
    jobTitle: null,
    mail: u.mail,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: 'en-US',
    surname: u.surname,
    userPrincipalName: u.upn,
    id: u.id,
  };
}

export function renderFolder(mb: Mailbox, f: FolderRec): GraphMailFolder {
  const msgs = mb.messagesIn(f.id);
  return {
    id: f.id,
    displayName: f.displayName,
    parentFolderId: f.parentId,
    childFolderCount: mb.childFolders(f.id, true).length,
    unreadItemCount: msgs.filter((m) => !m.isRead).length,
    totalItemCount: msgs.length,
    sizeInBytes: msgs.reduce(
      (n, m) => n + m.body.content.length + m.attachments.reduce((a, x) => a + x.bytes.length, 0),
      0,
    ),
    isHidden: f.isHidden,
  };
}

export const messageId = (m: MessageRec, view: View): string => (view.immutable ? m.key : m.restId);

export function renderMessage(m: MessageRec, view: View): GraphMessage {
  const id = messageId(m, view);
  return {
    '@odata.etag': `W/"${m.changeKey}"`,
    id,
    createdDateTime: isoSeconds(m.createdMs),
    lastModifiedDateTime: isoSeconds(m.lastModifiedMs),
    changeKey: m.changeKey,
    categories: [...m.categories],
    receivedDateTime: isoSeconds(m.receivedMs),
    sentDateTime: isoSeconds(m.sentMs),
    hasAttachments: m.attachments.some((a) => !a.isInline),
    internetMessageId: m.internetMessageId,
    subject: m.subject,
    bodyPreview: preview(m.body),
    importance: m.importance,
    parentFolderId: m.folderId,
    conversationId: m.conversationId,
    conversationIndex: m.conversationIndex,
    isDeliveryReceiptRequested: m.isDeliveryReceiptRequested,
    isReadReceiptRequested: m.isReadReceiptRequested,
    isRead: m.isRead,
    isDraft: m.isDraft,
    webLink: `https://outlook.office365.com/owa/?ItemID=${encodeURIComponent(id)}&exvsurl=1&viewmodel=ReadMessageItem`,
    inferenceClassification: m.inferenceClassification,
    body: convertBody(m.body, view.bodyType),
    sender: m.sender,
    from: m.from,
    toRecipients: m.toRecipients,
    ccRecipients: m.ccRecipients,
    bccRecipients: m.bccRecipients,
    replyTo: m.replyTo,
    flag: m.flag,
  };
}

/** Message JSON honouring $select, including properties Graph returns only when selected. */
export function messageJson(m: MessageRec, view: View, select: string[] | null): JsonObject {
  const out: JsonObject = { ...renderMessage(m, view) };
  if (select?.includes('uniqueBody')) out['uniqueBody'] = convertBody(m.body, view.bodyType);
  if (select?.includes('internetMessageHeaders')) out['internetMessageHeaders'] = m.internetMessageHeaders;
  return out;
}

export function renderAttachment(a: AttachmentRec, withContent: boolean): GraphFileAttachment {
  const out: GraphFileAttachment = {
    '@odata.type': '#microsoft.graph.fileAttachment',
    '@odata.mediaContentType': a.contentType,
    id: a.id,
    lastModifiedDateTime: isoSeconds(a.lastModifiedMs),
    name: a.name,
    contentType: a.contentType,
    size: a.bytes.length,
    isInline: a.isInline,
    contentId: a.contentId,
    contentLocation: null,
  };
  if (withContent) out.contentBytes = a.bytes.toString('base64');
  return out;
}

const recipientAddress = (r: Recipient | null): string | null => r?.emailAddress.address ?? null;
const recipientsField: Record<string, ScalarField<unknown>> = {
  'emailaddress/address': {
    kind: 'scalar',
    type: 'string',
    get: (el) => (el as Recipient).emailAddress.address,
  },
  'emailaddress/name': { kind: 'scalar', type: 'string', get: (el) => (el as Recipient).emailAddress.name },
};
const recipients = (get: (m: MessageRec) => Recipient[]): CollectionField<MessageRec> => ({
  kind: 'collection',
  get,
  element: recipientsField,
});

export const MESSAGE_SPEC: EntitySpec<MessageRec> = {
  type: 'message',
  properties: [
    'id',
    'createdDateTime',
    'lastModifiedDateTime',
    'changeKey',
    'categories',
    'receivedDateTime',
    'sentDateTime',
    'hasAttachments',
    'internetMessageId',
    'subject',
    'bodyPreview',
    'importance',
    'parentFolderId',
    'conversationId',
    'conversationIndex',
    'isDeliveryReceiptRequested',
    'isReadReceiptRequested',
    'isRead',
    'isDraft',
    'webLink',
    'inferenceClassification',
    'body',
    'sender',
    'from',
    'toRecipients',
    'ccRecipients',
    'bccRecipients',
    'replyTo',
    'flag',
    'uniqueBody',
    'internetMessageHeaders',
  ],
  fields: {
    id: scalar('string', (m) => m.restId),
    isread: scalar('boolean', (m) => m.isRead),
    isdraft: scalar('boolean', (m) => m.isDraft),
    hasattachments: scalar('boolean', (m) => m.attachments.some((a) => !a.isInline)),
    importance: scalar('string', (m) => m.importance),
    subject: scalar('string', (m) => m.subject),
    receiveddatetime: scalar('datetime', (m) => m.receivedMs),
    sentdatetime: scalar('datetime', (m) => m.sentMs),
    createddatetime: scalar('datetime', (m) => m.createdMs),
    lastmodifieddatetime: scalar('datetime', (m) => m.lastModifiedMs),
    'flag/flagstatus': scalar('string', (m) => m.flag.flagStatus),
    'from/emailaddress/address': scalar('string', (m) => recipientAddress(m.from)),
    'from/emailaddress/name': scalar('string', (m) => m.from?.emailAddress.name ?? null),
    'sender/emailaddress/address': scalar('string', (m) => recipientAddress(m.sender)),
    conversationid: scalar('string', (m) => m.conversationId),
    internetmessageid: scalar('string', (m) => m.internetMessageId),
    parentfolderid: scalar('string', (m) => m.folderId),
    inferenceclassification: scalar('string', (m) => m.inferenceClassification),
    categories: { kind: 'collection', get: (m) => m.categories, element: 'string' },
    torecipients: recipients((m) => m.toRecipients),
    ccrecipients: recipients((m) => m.ccRecipients),
  },
};

export const FOLDER_SPEC: EntitySpec<GraphMailFolder> = {
  type: 'mailFolder',
  properties: [
    'id',
    'displayName',
    'parentFolderId',
    'childFolderCount',
    'unreadItemCount',
    'totalItemCount',
    'sizeInBytes',
    'isHidden',
  ],
  fields: {
    displayname: scalar('string', (f) => f.displayName),
    parentfolderid: scalar('string', (f) => f.parentFolderId),
    ishidden: scalar('boolean', (f) => f.isHidden),
    childfoldercount: scalar('number', (f) => f.childFolderCount),
    unreaditemcount: scalar('number', (f) => f.unreadItemCount),
    totalitemcount: scalar('number', (f) => f.totalItemCount),
  },
};

// ---------------------------------------------------------------------------
// Calendar

/** A series master, single instance, or one (possibly modified) occurrence of a series. */
export interface EventInstance {
  master: EventRec;
  /** Original start (UTC ms) for occurrences/exceptions; null for masters and single instances. */
  occurrence: number | null;
  core: EventCore;
  type: EventType;
}

export const eventId = (e: EventRec, view: View): string => (view.immutable ? e.key : e.restId);

export function instanceId(inst: EventInstance, view: View): string {
  const masterId = eventId(inst.master, view);
  return inst.occurrence === null ? masterId : occurrenceId(masterId, inst.occurrence);
}

export function renderEvent(inst: EventInstance, view: View): GraphEvent {
  const { master, core } = inst;
  const exc = inst.occurrence === null ? undefined : master.exceptions.get(inst.occurrence);
  const id = instanceId(inst, view);
  const changeKey = exc?.changeKey ?? master.changeKey;
  const out: GraphEvent = {
    '@odata.etag': `W/"${changeKey}"`,
    id,
    createdDateTime: iso7(master.createdMs),
    lastModifiedDateTime: iso7(Math.max(master.lastModifiedMs, exc?.lastModifiedMs ?? 0)),
    changeKey,
    categories: [...core.categories],
    transactionId: inst.occurrence === null ? master.transactionId : null,
    originalStartTimeZone: core.startTz,
    originalEndTimeZone: core.endTz,
    iCalUId: master.iCalUId,
    reminderMinutesBeforeStart: core.reminderMinutesBeforeStart,
    isReminderOn: core.isReminderOn,
    hasAttachments: false,
    subject: core.subject,
    bodyPreview: preview(core.body),
    importance: core.importance,
    sensitivity: core.sensitivity,
    isAllDay: core.isAllDay,
    isCancelled: core.isCancelled,
    isOrganizer: master.isOrganizer,
    responseRequested: master.responseRequested,
    seriesMasterId: inst.occurrence === null ? null : eventId(master, view),
    showAs: core.showAs,
    type: inst.type,
    webLink: `https://outlook.office365.com/owa/?itemid=${encodeURIComponent(id)}&exvsurl=1&path=/calendar/item`,
    onlineMeetingUrl: null,
    isOnlineMeeting: master.isOnlineMeeting,
    onlineMeetingProvider: master.isOnlineMeeting ? 'teamsForBusiness' : 'unknown',
    allowNewTimeProposals: master.allowNewTimeProposals,
    isDraft: false,
    hideAttendees: master.hideAttendees,
    responseStatus: core.responseStatus,
    body: convertBody(core.body, view.bodyType),
    start: toDttz(core.startUtc, view.tz),
    end: toDttz(core.endUtc, view.tz),
    location: core.location,
    locations: core.locations,
    recurrence: inst.type === 'seriesMaster' ? master.recurrence : null,
    attendees: core.attendees,
    organizer: master.organizer,
    onlineMeeting: null,
  };
  if (inst.occurrence !== null) out.originalStart = isoSeconds(inst.occurrence);
  return out;
}

export const EVENT_SPEC: EntitySpec<EventInstance> = {
  type: 'event',
  properties: [
    'id',
    'createdDateTime',
    'lastModifiedDateTime',
    'changeKey',
    'categories',
    'transactionId',
    'originalStartTimeZone',
    'originalEndTimeZone',
    'iCalUId',
    'reminderMinutesBeforeStart',
    'isReminderOn',
    'hasAttachments',
    'subject',
    'bodyPreview',
    'importance',
    'sensitivity',
    'isAllDay',
    'isCancelled',
    'isOrganizer',
    'responseRequested',
    'seriesMasterId',
    'showAs',
    'type',
    'webLink',
    'onlineMeetingUrl',
    'isOnlineMeeting',
    'onlineMeetingProvider',
    'allowNewTimeProposals',
    'isDraft',
    'hideAttendees',
    'originalStart',
    'responseStatus',
    'body',
    'start',
    'end',
    'location',
    'locations',
    'recurrence',
    'attendees',
    'organizer',
    'onlineMeeting',
  ],
  fields: {
    subject: scalar('string', (e) => e.core.subject),
    isallday: scalar('boolean', (e) => e.core.isAllDay),
    iscancelled: scalar('boolean', (e) => e.core.isCancelled),
    isorganizer: scalar('boolean', (e) => e.master.isOrganizer),
    showas: scalar('string', (e) => e.core.showAs),
    importance: scalar('string', (e) => e.core.importance),
    sensitivity: scalar('string', (e) => e.core.sensitivity),
    type: scalar('string', (e) => e.type),
    icaluid: scalar('string', (e) => e.master.iCalUId),
    'organizer/emailaddress/address': scalar('string', (e) => e.master.organizer.emailAddress.address),
    // Graph compares start/dateTime and end/dateTime as strings; the emulator compares UTC values.
    'start/datetime': scalar('string', (e) => formatWall(e.core.startUtc)),
    'end/datetime': scalar('string', (e) => formatWall(e.core.endUtc)),
    createddatetime: scalar('datetime', (e) => e.master.createdMs),
    lastmodifieddatetime: scalar('datetime', (e) => e.master.lastModifiedMs),
    categories: { kind: 'collection', get: (e) => e.core.categories, element: 'string' },
  },
};

export function renderCalendar(mb: Mailbox, c: CalendarRec): GraphCalendar {
  return {
    id: c.id,
    name: c.name,
    color: c.color,
    hexColor: c.hexColor,
    isDefaultCalendar: c.isDefault,
    changeKey: c.changeKey,
    canShare: true,
    canViewPrivateItems: true,
    canEdit: true,
    allowedOnlineMeetingProviders: ['teamsForBusiness'],
    defaultOnlineMeetingProvider: 'teamsForBusiness',
    isTallyingResponses: true,
    isRemovable: !c.isDefault,
    owner: { name: mb.user.displayName, address: mb.user.mail },
  };
}

export const CALENDAR_SPEC: EntitySpec<GraphCalendar> = {
  type: 'calendar',
  properties: [
    'id',
    'name',
    'color',
    'hexColor',
    'isDefaultCalendar',
    'changeKey',
    'canShare',
    'canViewPrivateItems',
    'canEdit',
    'allowedOnlineMeetingProviders',
    'defaultOnlineMeetingProvider',
    'isTallyingResponses',
    'isRemovable',
    'owner',
  ],
  fields: {
    name: scalar('string', (c) => c.name),
    isdefaultcalendar: scalar('boolean', (c) => c.isDefaultCalendar),
  },
};

// ---------------------------------------------------------------------------
// Contacts

export const contactId = (c: ContactRec, view: View): string => (view.immutable ? c.key : c.restId);

export function renderContact(c: ContactRec, view: View): GraphContact {
  return {
    '@odata.etag': `W/"${c.changeKey}"`,
    id: contactId(c, view),
    createdDateTime: isoSeconds(c.createdMs),
    lastModifiedDateTime: isoSeconds(c.lastModifiedMs),
    changeKey: c.changeKey,
    categories: [...c.categories],
    parentFolderId: c.folderId,
    birthday: c.birthday,
    fileAs: c.fileAs,
    displayName: c.displayName,
    givenName: c.givenName,
    initials: c.initials,
    middleName: c.middleName,
    nickName: c.nickName,
    surname: c.surname,
    title: c.title,
    yomiGivenName: c.yomiGivenName,
    yomiSurname: c.yomiSurname,
    yomiCompanyName: c.yomiCompanyName,
    generation: c.generation,
    imAddresses: [...c.imAddresses],
    jobTitle: c.jobTitle,
    companyName: c.companyName,
    department: c.department,
    officeLocation: c.officeLocation,
    profession: c.profession,
    businessHomePage: c.businessHomePage,
    assistantName: c.assistantName,
    manager: c.manager,
    homePhones: [...c.homePhones],
    mobilePhone: c.mobilePhone,
    businessPhones: [...c.businessPhones],
    spouseName: c.spouseName,
    personalNotes: c.personalNotes,
    children: [...c.children],
    emailAddresses: c.emailAddresses.map((e) => ({ ...e })),
    homeAddress: { ...c.homeAddress },
    businessAddress: { ...c.businessAddress },
    otherAddress: { ...c.otherAddress },
  };
}

export const CONTACT_SPEC: EntitySpec<ContactRec> = {
  type: 'contact',
  properties: [
    'id',
    'createdDateTime',
    'lastModifiedDateTime',
    'changeKey',
    'categories',
    'parentFolderId',
    'birthday',
    'fileAs',
    'displayName',
    'givenName',
    'initials',
    'middleName',
    'nickName',
    'surname',
    'title',
    'yomiGivenName',
    'yomiSurname',
    'yomiCompanyName',
    'generation',
    'imAddresses',
    'jobTitle',
    'companyName',
    'department',
    'officeLocation',
    'profession',
    'businessHomePage',
    'assistantName',
    'manager',
    'homePhones',
    'mobilePhone',
    'businessPhones',
    'spouseName',
    'personalNotes',
    'children',
    'emailAddresses',
    'homeAddress',
    'businessAddress',
    'otherAddress',
  ],
  fields: {
    displayname: scalar('string', (c) => c.displayName),
    givenname: scalar('string', (c) => c.givenName),
    surname: scalar('string', (c) => c.surname),
    fileas: scalar('string', (c) => c.fileAs),
    companyname: scalar('string', (c) => c.companyName),
    jobtitle: scalar('string', (c) => c.jobTitle),
    mobilephone: scalar('string', (c) => c.mobilePhone),
    parentfolderid: scalar('string', (c) => c.folderId),
    createddatetime: scalar('datetime', (c) => c.createdMs),
    lastmodifieddatetime: scalar('datetime', (c) => c.lastModifiedMs),
    categories: { kind: 'collection', get: (c) => c.categories, element: 'string' },
    emailaddresses: {
      kind: 'collection',
      get: (c) => c.emailAddresses,
      element: { address: elementProp('string', 'address'), name: elementProp('string', 'name') },
    },
  },
};

export function renderContactFolder(f: ContactFolderRec): GraphContactFolder {
  return { id: f.id, displayName: f.displayName, parentFolderId: f.parentId };
}
