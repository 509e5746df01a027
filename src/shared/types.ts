// The data types shared by core, shell and renderer. Each is a zod schema so that the same
// definition validates payloads at the process boundary and gives the static type.
import { z } from 'zod';

export const Id = z.string().min(1).max(200);

export const EmailAddress = z.object({
  name: z.string().max(500).default(''),
  address: z.string().max(500),
});
export type EmailAddress = z.infer<typeof EmailAddress>;

export const AccountKind = z.enum(['local', 'imap', 'graph']);
export type AccountKind = z.infer<typeof AccountKind>;

export const AccountStatus = z.enum(['ok', 'syncing', 'error', 'offline', 'needs-sign-in']);

export const Account = z.object({
  id: Id,
  kind: AccountKind,
  displayName: z.string(),
  email: z.string(),
  isDefault: z.boolean(),
  createdAt: z.number(),
  status: AccountStatus,
  lastError: z.string().nullable(),
  lastSyncAt: z.number().nullable(),
  /** Non-secret settings (hosts, ports, user names). Secrets are never part of this object. */
  settings: z.record(z.string(), z.unknown()),
});
export type Account = z.infer<typeof Account>;

const ServerEndpoint = z.object({
  host: z.string().min(1).max(255),
  port: z.number().int().min(1).max(65535),
  security: z.enum(['tls', 'starttls', 'none']),
  user: z.string().min(1).max(500),
  password: z.string().max(2000).optional(),
  /** SHA-256 fingerprint of a self-signed certificate the user chose to trust. */
  trustedCertFingerprint: z.string().max(200).optional(),
  /** IMAP: false for a server whose CONDSTORE is broken (every sync then compares all UIDs and flags). */
  useCondstore: z.boolean().optional(),
  /** SMTP: the server files sent mail itself (Gmail, Outlook.com), so no copy is appended to Sent. */
  serverSavesSent: z.boolean().optional(),
});
const DavEndpoint = z.object({
  url: z.string().url().max(2000),
  user: z.string().min(1).max(500),
  password: z.string().max(2000).optional(),
  trustedCertFingerprint: z.string().max(200).optional(),
});

export const NewAccount = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('local'),
    displayName: z.string().min(1).max(200),
    email: z.string().max(500).default(''),
  }),
  z.object({
    kind: z.literal('imap'),
    displayName: z.string().min(1).max(200),
    email: z.string().email().max(500),
    imap: ServerEndpoint,
    smtp: ServerEndpoint.optional(),
    caldav: DavEndpoint.optional(),
    carddav: DavEndpoint.optional(),
  }),
  z.object({
    kind: z.literal('graph'),
    displayName: z.string().min(1).max(200),
    email: z.string().email().max(500),
    graphBaseUrl: z.string().url().max(2000).default('https://graph.microsoft.com/v1.0'),
    clientId: z.string().max(200).optional(),
    /** Sign-in authority, for a tenant-specific or national-cloud login (default: the public cloud's). */
    authority: z.string().url().max(2000).optional(),
    auth: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('tokenCommand'), command: z.string().min(1).max(4000) }),
        z.object({ type: z.literal('interactive') }),
        z.object({ type: z.literal('deviceCode') }),
      ])
      .default({ type: 'interactive' }),
  }),
]);
export type NewAccount = z.input<typeof NewAccount>;

export const FolderRole = z.enum(['inbox', 'drafts', 'sent', 'archive', 'trash', 'junk', 'outbox', 'custom']);
export type FolderRole = z.infer<typeof FolderRole>;

export const Folder = z.object({
  id: Id,
  accountId: Id,
  path: z.string(),
  name: z.string(),
  role: FolderRole,
  parentId: Id.nullable(),
  unreadCount: z.number().int(),
  totalCount: z.number().int(),
});
export type Folder = z.infer<typeof Folder>;

export const Importance = z.enum(['low', 'normal', 'high']);
export type Importance = z.infer<typeof Importance>;

export const MessageSummary = z.object({
  id: Id,
  accountId: Id,
  folderId: Id,
  threadId: z.string(),
  subject: z.string(),
  from: EmailAddress.nullable(),
  to: z.array(EmailAddress),
  cc: z.array(EmailAddress),
  date: z.number(),
  snippet: z.string(),
  isRead: z.boolean(),
  isFlagged: z.boolean(),
  isAnswered: z.boolean(),
  isDraft: z.boolean(),
  hasAttachments: z.boolean(),
  importance: Importance,
  /** Number of messages in the conversation when listed as threads, else 1. */
  threadCount: z.number().int().default(1),
});
export type MessageSummary = z.infer<typeof MessageSummary>;

export const AttachmentMeta = z.object({
  id: Id,
  messageId: Id,
  filename: z.string(),
  contentType: z.string(),
  size: z.number().int(),
  contentId: z.string().nullable(),
  inline: z.boolean(),
});
export type AttachmentMeta = z.infer<typeof AttachmentMeta>;

export const MessageDetail = MessageSummary.extend({
  bcc: z.array(EmailAddress),
  replyTo: z.array(EmailAddress),
  messageIdHeader: z.string().nullable(),
  inReplyTo: z.string().nullable(),
  references: z.array(z.string()),
  bodyText: z.string(),
  bodyHtml: z.string().nullable(),
  bodyState: z.enum(['complete', 'headers-only', 'error']),
  attachments: z.array(AttachmentMeta),
  headers: z.record(z.string(), z.string()),
});
export type MessageDetail = z.infer<typeof MessageDetail>;

export const OutgoingAttachment = z.object({
  filename: z.string().min(1).max(255),
  contentType: z.string().max(200).default('application/octet-stream'),
  /** Base64 so the payload stays JSON over every transport. */
  contentBase64: z.string().max(40_000_000),
});

export const Draft = z.object({
  id: Id.optional(),
  accountId: Id,
  to: z.array(EmailAddress).max(1000).default([]),
  cc: z.array(EmailAddress).max(1000).default([]),
  bcc: z.array(EmailAddress).max(1000).default([]),
  subject: z.string().max(2000).default(''),
  bodyText: z.string().max(10_000_000).default(''),
  bodyHtml: z.string().max(20_000_000).nullable().default(null),
  importance: Importance.default('normal'),
  inReplyToMessageId: Id.nullable().default(null),
  attachments: z.array(OutgoingAttachment).max(100).default([]),
  /** When set, the send is held until this time (epoch ms): send later. */
  sendAt: z.number().int().nullable().default(null),
});
export type Draft = z.input<typeof Draft>;
export type DraftParsed = z.output<typeof Draft>;

export const OutboxStatus = z.enum(['queued', 'sending', 'sent', 'failed', 'uncertain', 'cancelled']);
export const OutboxEntry = z.object({
  id: Id,
  accountId: Id,
  status: OutboxStatus,
  subject: z.string(),
  to: z.array(EmailAddress),
  createdAt: z.number(),
  sendAt: z.number().nullable(),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
});
export type OutboxEntry = z.infer<typeof OutboxEntry>;

export const TaskStatus = z.enum(['pending', 'running', 'done', 'failed', 'cancelled']);
export const TaskInfo = z.object({
  id: Id,
  accountId: Id,
  kind: z.string(),
  status: TaskStatus,
  /** Present when the action can be undone with z. */
  undoable: z.boolean(),
  lastError: z.string().nullable(),
  createdAt: z.number(),
});
export type TaskInfo = z.infer<typeof TaskInfo>;

export const CalendarInfo = z.object({
  id: Id,
  accountId: Id,
  name: z.string(),
  color: z.string(),
  readOnly: z.boolean(),
  visible: z.boolean(),
});
export type CalendarInfo = z.infer<typeof CalendarInfo>;

export const Attendee = z.object({
  name: z.string().default(''),
  address: z.string(),
  role: z.enum(['required', 'optional', 'chair', 'non-participant']).default('required'),
  status: z.enum(['needs-action', 'accepted', 'declined', 'tentative', 'delegated']).default('needs-action'),
});

export const ShowAs = z.enum(['free', 'busy', 'tentative', 'oof']);

/** Start/end are wall-clock ISO strings ("2026-03-08T09:00:00") read in `timeZone`, or dates when all-day. */
export const EventInput = z.object({
  summary: z.string().max(2000).default(''),
  description: z.string().max(1_000_000).default(''),
  location: z.string().max(2000).default(''),
  start: z.string().regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?$/, 'expected YYYY-MM-DD or YYYY-MM-DDTHH:mm[:ss]'),
  end: z.string().regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?$/, 'expected YYYY-MM-DD or YYYY-MM-DDTHH:mm[:ss]'),
  timeZone: z.string().max(100).default('UTC'),
  allDay: z.boolean().default(false),
  rrule: z.string().max(1000).nullable().default(null),
  exdates: z.array(z.string()).default([]),
  showAs: ShowAs.default('busy'),
  importance: Importance.default('normal'),
  reminderMinutes: z.number().int().min(0).max(40320).nullable().default(null),
  attendees: z.array(Attendee).max(500).default([]),
  categories: z.array(z.string().max(200)).max(50).default([]),
});
export type EventInput = z.input<typeof EventInput>;

export const CalendarEvent = z.object({
  id: Id,
  calendarId: Id,
  accountId: Id,
  uid: z.string(),
  summary: z.string(),
  description: z.string(),
  location: z.string(),
  start: z.string(),
  end: z.string(),
  timeZone: z.string(),
  allDay: z.boolean(),
  rrule: z.string().nullable(),
  exdates: z.array(z.string()),
  recurrenceId: z.string().nullable(),
  showAs: ShowAs,
  importance: Importance,
  reminderMinutes: z.number().nullable(),
  organizer: EmailAddress.nullable(),
  attendees: z.array(Attendee),
  categories: z.array(z.string()),
  /** UTC epoch ms of the first start, for range queries. */
  startUtc: z.number(),
  endUtc: z.number(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type CalendarEvent = z.infer<typeof CalendarEvent>;

export const Occurrence = z.object({
  eventId: Id,
  calendarId: Id,
  /** Wall-clock start of the original slot for recurring events, else null. */
  recurrenceId: z.string().nullable(),
  startUtc: z.number(),
  endUtc: z.number(),
  event: CalendarEvent,
});
export type Occurrence = z.infer<typeof Occurrence>;

export const AddressBook = z.object({
  id: Id,
  accountId: Id,
  name: z.string(),
  readOnly: z.boolean(),
});
export type AddressBook = z.infer<typeof AddressBook>;

export const ContactInput = z.object({
  displayName: z.string().max(500).default(''),
  givenName: z.string().max(200).default(''),
  surname: z.string().max(200).default(''),
  emails: z
    .array(z.object({ type: z.string().max(50).default('other'), address: z.string().max(500) }))
    .max(50)
    .default([]),
  phones: z
    .array(
      z.object({
        type: z.enum(['mobile', 'home', 'work', 'fax', 'other']).default('other'),
        number: z.string().max(100),
      }),
    )
    .max(50)
    .default([]),
  addresses: z
    .array(
      z.object({
        type: z.enum(['home', 'work', 'other']).default('home'),
        street: z.string().max(500).default(''),
        locality: z.string().max(200).default(''),
        region: z.string().max(200).default(''),
        postalCode: z.string().max(50).default(''),
        country: z.string().max(200).default(''),
      }),
    )
    .max(20)
    .default([]),
  company: z.string().max(500).default(''),
  jobTitle: z.string().max(500).default(''),
  birthday: z
    .string()
    .regex(/^(\d{4}|--)-?\d{2}-\d{2}$/)
    .nullable()
    .default(null),
  notes: z.string().max(100_000).default(''),
  categories: z.array(z.string().max(200)).max(50).default([]),
  kind: z.enum(['individual', 'group']).default('individual'),
  members: z.array(z.string().max(500)).max(5000).default([]),
});
export type ContactInput = z.input<typeof ContactInput>;

export const Contact = ContactInput.required().extend({
  id: Id,
  addressBookId: Id,
  accountId: Id,
  uid: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type Contact = z.infer<typeof Contact>;

export const SyncResult = z.object({
  accountId: Id,
  folders: z.number().int(),
  messagesAdded: z.number().int(),
  messagesUpdated: z.number().int(),
  messagesRemoved: z.number().int(),
  events: z.number().int(),
  contacts: z.number().int(),
  tasksApplied: z.number().int(),
  durationMs: z.number(),
});
export type SyncResult = z.infer<typeof SyncResult>;

export const ErrorBody = z.object({ code: z.string(), message: z.string() });
export type ErrorBody = z.infer<typeof ErrorBody>;
