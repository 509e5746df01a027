/**
 * Request body validation (zod) and normalisation into store types.
 *
 * Graph rejects unknown properties in request bodies with 400 and accepts enum
 * values case-insensitively; read-only properties echoed back by clients (id,
 * changeKey, ...) are ignored rather than rejected.
 */
import { z } from 'zod';
import { badRequest } from './response';
import type {
  DayOfWeek,
  ItemBody,
  PatternedRecurrence,
  PhysicalAddress,
  Recipient,
  WeekIndex,
} from './types';

/** Case-insensitive enum that normalises to Graph's canonical spelling. */
function ci<const T extends readonly [string, ...string[]]>(values: T) {
  return z.string().transform((s, ctx): T[number] => {
    const hit = values.find((v) => v.toLowerCase() === s.toLowerCase());
    if (hit === undefined) {
      ctx.addIssue({ code: 'custom', message: `Requested value '${s}' was not found.` });
      return z.NEVER;
    }
    return hit;
  });
}

const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
const INDEXES = ['first', 'second', 'third', 'fourth', 'last'] as const;

const str = z.string();
const optStr = z.string().nullable().optional();
const boolish = z.union([z.boolean(), z.enum(['true', 'false']).transform((s) => s === 'true')]);

export const emailAddressIn = z.strictObject({ name: optStr, address: optStr });
export const recipientIn = z.strictObject({ emailAddress: emailAddressIn });
export const itemBodyIn = z.strictObject({ contentType: ci(['text', 'html']).optional(), content: optStr });
export const dttzIn = z.strictObject({ dateTime: str, timeZone: str.optional() });
const flagIn = z.strictObject({
  flagStatus: ci(['notFlagged', 'complete', 'flagged']),
  startDateTime: dttzIn.optional(),
  dueDateTime: dttzIn.optional(),
  completedDateTime: dttzIn.optional(),
});
const extPropIn = z.strictObject({ id: str, value: str });
const headerIn = z.strictObject({ name: str, value: str });
const importanceIn = ci(['low', 'normal', 'high']);

export const fileAttachmentIn = z.strictObject({
  '@odata.type': str,
  name: str,
  contentBytes: str,
  contentType: optStr,
  isInline: z.boolean().optional(),
  contentId: optStr,
  contentLocation: optStr,
  size: z.number().optional(),
  id: str.optional(),
  lastModifiedDateTime: str.optional(),
});

export const messageIn = z.strictObject({
  subject: optStr,
  body: itemBodyIn.optional(),
  toRecipients: z.array(recipientIn).optional(),
  ccRecipients: z.array(recipientIn).optional(),
  bccRecipients: z.array(recipientIn).optional(),
  replyTo: z.array(recipientIn).optional(),
  from: recipientIn.nullable().optional(),
  sender: recipientIn.nullable().optional(),
  importance: importanceIn.optional(),
  isRead: z.boolean().optional(),
  isReadReceiptRequested: z.boolean().optional(),
  isDeliveryReceiptRequested: z.boolean().optional(),
  categories: z.array(str).optional(),
  flag: flagIn.optional(),
  inferenceClassification: ci(['focused', 'other']).optional(),
  internetMessageId: str.optional(),
  internetMessageHeaders: z.array(headerIn).optional(),
  singleValueExtendedProperties: z.array(extPropIn).optional(),
  attachments: z.array(fileAttachmentIn).optional(),
});
export type MessageIn = z.output<typeof messageIn>;

export const MESSAGE_READ_ONLY = [
  'id',
  'createdDateTime',
  'lastModifiedDateTime',
  'changeKey',
  'parentFolderId',
  'webLink',
  'bodyPreview',
  'hasAttachments',
  'conversationId',
  'conversationIndex',
  'receivedDateTime',
  'sentDateTime',
  'isDraft',
  'uniqueBody',
];

export const sendMailIn = z.strictObject({ message: messageIn, saveToSentItems: boolish.optional() });
export const replyIn = z.strictObject({
  comment: str.optional(),
  message: messageIn.optional(),
  toRecipients: z.array(recipientIn).optional(),
});
export const moveIn = z.strictObject({ destinationId: str });
export const mailFolderIn = z.strictObject({ displayName: str.min(1), isHidden: z.boolean().optional() });
export const mailFolderPatchIn = z.strictObject({ displayName: str.min(1) });
export const uploadSessionIn = z.strictObject({
  AttachmentItem: z.strictObject({
    attachmentType: ci(['file', 'item', 'reference']),
    name: str,
    size: z.number().int().nonnegative(),
    contentType: str.optional(),
    isInline: z.boolean().optional(),
    contentId: str.optional(),
  }),
});

// ---- calendar

const physicalAddressIn = z.strictObject({
  street: optStr,
  city: optStr,
  state: optStr,
  countryOrRegion: optStr,
  postalCode: optStr,
});
export const locationIn = z.strictObject({
  displayName: optStr,
  locationType: optStr,
  uniqueId: optStr,
  uniqueIdType: optStr,
  locationEmailAddress: optStr,
  locationUri: optStr,
  address: physicalAddressIn.optional(),
  coordinates: z.record(z.string(), z.number()).optional(),
});
const responseTypeIn = ci([
  'none',
  'organizer',
  'tentativelyAccepted',
  'accepted',
  'declined',
  'notResponded',
]);
export const attendeeIn = z.strictObject({
  type: ci(['required', 'optional', 'resource']).optional(),
  emailAddress: emailAddressIn,
  status: z.strictObject({ response: responseTypeIn, time: str.optional() }).optional(),
});
export const recurrenceIn = z.strictObject({
  pattern: z.strictObject({
    type: ci(['daily', 'weekly', 'absoluteMonthly', 'relativeMonthly', 'absoluteYearly', 'relativeYearly']),
    interval: z.number().int().optional(),
    month: z.number().int().optional(),
    dayOfMonth: z.number().int().optional(),
    daysOfWeek: z.array(ci(DAYS)).optional(),
    firstDayOfWeek: ci(DAYS).optional(),
    index: ci(INDEXES).optional(),
  }),
  range: z.strictObject({
    type: ci(['endDate', 'noEnd', 'numbered']),
    startDate: str,
    endDate: str.optional(),
    recurrenceTimeZone: str.optional(),
    numberOfOccurrences: z.number().int().optional(),
  }),
});
export const eventIn = z.strictObject({
  subject: optStr,
  body: itemBodyIn.optional(),
  start: dttzIn.optional(),
  end: dttzIn.optional(),
  isAllDay: z.boolean().optional(),
  location: locationIn.optional(),
  locations: z.array(locationIn).optional(),
  attendees: z.array(attendeeIn).optional(),
  showAs: ci(['free', 'tentative', 'busy', 'oof', 'workingElsewhere', 'unknown']).optional(),
  importance: importanceIn.optional(),
  sensitivity: ci(['normal', 'personal', 'private', 'confidential']).optional(),
  isReminderOn: z.boolean().optional(),
  reminderMinutesBeforeStart: z.number().int().optional(),
  categories: z.array(str).optional(),
  recurrence: recurrenceIn.nullable().optional(),
  responseRequested: z.boolean().optional(),
  allowNewTimeProposals: z.boolean().optional(),
  isOnlineMeeting: z.boolean().optional(),
  onlineMeetingProvider: str.optional(),
  hideAttendees: z.boolean().optional(),
  transactionId: optStr,
});
export type EventIn = z.output<typeof eventIn>;
export const EVENT_READ_ONLY = [
  'id',
  'createdDateTime',
  'lastModifiedDateTime',
  'changeKey',
  'iCalUId',
  'type',
  'seriesMasterId',
  'originalStart',
  'originalStartTimeZone',
  'originalEndTimeZone',
  'webLink',
  'bodyPreview',
  'hasAttachments',
  'isOrganizer',
  'organizer',
  'responseStatus',
  'isCancelled',
  'isDraft',
  'onlineMeeting',
  'onlineMeetingUrl',
];
export const eventResponseIn = z.strictObject({
  comment: str.optional(),
  sendResponse: z.boolean().optional(),
  proposedNewTime: z.unknown().optional(),
});
export const cancelIn = z.strictObject({ comment: str.optional() });
export const calendarIn = z.strictObject({
  name: str.min(1),
  color: str.optional(),
  hexColor: str.optional(),
});

// ---- contacts

export const contactIn = z.strictObject({
  givenName: optStr,
  middleName: optStr,
  surname: optStr,
  displayName: optStr,
  fileAs: optStr,
  initials: optStr,
  nickName: optStr,
  title: optStr,
  generation: optStr,
  yomiGivenName: optStr,
  yomiSurname: optStr,
  yomiCompanyName: optStr,
  emailAddresses: z.array(emailAddressIn).optional(),
  imAddresses: z.array(str).optional(),
  mobilePhone: optStr,
  homePhones: z.array(str).optional(),
  businessPhones: z.array(str).optional(),
  jobTitle: optStr,
  companyName: optStr,
  department: optStr,
  officeLocation: optStr,
  profession: optStr,
  businessHomePage: optStr,
  assistantName: optStr,
  manager: optStr,
  spouseName: optStr,
  children: z.array(str).optional(),
  birthday: optStr,
  personalNotes: optStr,
  categories: z.array(str).optional(),
  homeAddress: physicalAddressIn.optional(),
  businessAddress: physicalAddressIn.optional(),
  otherAddress: physicalAddressIn.optional(),
});
export type ContactIn = z.output<typeof contactIn>;
export const CONTACT_READ_ONLY = [
  'id',
  'createdDateTime',
  'lastModifiedDateTime',
  'changeKey',
  'parentFolderId',
];
export const contactFolderIn = z.strictObject({ displayName: str.min(1), parentFolderId: str.optional() });

// ---------------------------------------------------------------------------
// Body parsing

const INVALID_JSON =
  'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.';
const ANNOTATIONS = ['@odata.etag', '@odata.context', '@odata.id', '@odata.editLink'];

/** Reads a JSON request body (empty body = `{}`), as Graph does for actions with no parameters. */
export function readJson(raw: Buffer, contentType: string | undefined): unknown {
  if (raw.length === 0) return {};
  if (!contentType || !/json/i.test(contentType)) throw badRequest(INVALID_JSON);
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    throw badRequest(INVALID_JSON);
  }
}

/**
 * Validates a body against `schema`. `readOnly` lists properties that are dropped
 * (clients often PATCH back objects they read); `@odata.type` is kept only when the
 * schema declares it.
 */
export function parseBody<S extends z.ZodType>(
  value: unknown,
  schema: S,
  typeName: string,
  readOnly: readonly string[] = [],
): z.output<S> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest(INVALID_JSON);
  const input: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const k of [...ANNOTATIONS, ...readOnly]) delete input[k];
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue?.code === 'unrecognized_keys') {
    throw badRequest(
      `The property '${issue.keys[0] ?? ''}' does not exist on type 'microsoft.graph.${typeName}'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
    );
  }
  const path = issue?.path.map(String).join('.') ?? '';
  throw badRequest(`Invalid value for property '${path}': ${issue?.message ?? 'invalid'}`);
}

// ---------------------------------------------------------------------------
// Normalisation

type EmailIn = z.output<typeof emailAddressIn>;
type RecipientIn = z.output<typeof recipientIn>;

/** Graph fills a missing recipient name with the address. */
export function normEmail(e: EmailIn): { name: string; address: string } {
  const address = e.address ?? '';
  return { name: e.name ?? address, address };
}
export const normRecipient = (r: RecipientIn): Recipient => ({ emailAddress: normEmail(r.emailAddress) });
export const normRecipients = (rs: RecipientIn[] | undefined): Recipient[] => (rs ?? []).map(normRecipient);
export function normBody(b: z.output<typeof itemBodyIn> | undefined): ItemBody {
  return { contentType: b?.contentType ?? 'text', content: b?.content ?? '' };
}
export function normAddress(a: z.output<typeof physicalAddressIn> | undefined): PhysicalAddress {
  const out: PhysicalAddress = {};
  if (!a) return out;
  if (a.street) out.street = a.street;
  if (a.city) out.city = a.city;
  if (a.state) out.state = a.state;
  if (a.countryOrRegion) out.countryOrRegion = a.countryOrRegion;
  if (a.postalCode) out.postalCode = a.postalCode;
  return out;
}

/** Fills the defaults Graph reports for unset recurrence fields. */
export function normRecurrence(r: z.output<typeof recurrenceIn>, defaultTz: string): PatternedRecurrence {
  const p = r.pattern;
  return {
    pattern: {
      type: p.type,
      interval: p.interval ?? 1,
      month: p.month ?? 0,
      dayOfMonth: p.dayOfMonth ?? 0,
      daysOfWeek: (p.daysOfWeek ?? []) as DayOfWeek[],
      firstDayOfWeek: (p.firstDayOfWeek ?? 'sunday') as DayOfWeek,
      index: (p.index ?? 'first') as WeekIndex,
    },
    range: {
      type: r.range.type,
      startDate: r.range.startDate,
      endDate: r.range.endDate ?? '0001-01-01',
      recurrenceTimeZone: r.range.recurrenceTimeZone ?? defaultTz,
      numberOfOccurrences: r.range.numberOfOccurrences ?? 0,
    },
  };
}
