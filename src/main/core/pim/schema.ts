// Runtime validation of data handed to the builders (it may come from the REST API or the UI).
import { z } from 'zod';
import { parseUtcIso, parseWallClock } from './datetime';
import { PimParseError } from './errors';
import { parseRRule } from './rrule';
import { isKnownTimeZone, isUtcAlias } from './timezone';
import type { ContactData, EventData } from './types';

const wallClock = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2})?$/, 'expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS');
const utcIso = z.string().refine((s) => parseUtcIso(s) !== null, 'expected a UTC ISO instant');

export const eventAttendeeSchema = z.object({
  name: z.string(),
  address: z.string(),
  role: z.enum(['required', 'optional', 'chair', 'non-participant']),
  status: z.enum(['needs-action', 'accepted', 'declined', 'tentative', 'delegated']),
  rsvp: z.boolean(),
});

export const eventDataSchema = z.object({
  uid: z.string().min(1),
  summary: z.string(),
  description: z.string(),
  location: z.string(),
  start: wallClock,
  end: wallClock,
  timeZone: z.string().min(1),
  allDay: z.boolean(),
  rrule: z.string().nullable(),
  rdates: z.array(wallClock),
  exdates: z.array(wallClock),
  recurrenceId: wallClock.nullable(),
  status: z.enum(['confirmed', 'tentative', 'cancelled']),
  showAs: z.enum(['free', 'busy', 'tentative', 'oof']),
  importance: z.enum(['low', 'normal', 'high']),
  reminderMinutes: z.number().int().min(0).nullable(),
  organizer: z.object({ name: z.string(), address: z.string() }).nullable(),
  attendees: z.array(eventAttendeeSchema),
  categories: z.array(z.string()),
  url: z.string().nullable(),
  sequence: z.number().int().min(0),
  created: utcIso.nullable(),
  lastModified: utcIso.nullable(),
});

export const contactDataSchema = z.object({
  uid: z.string().min(1),
  kind: z.enum(['individual', 'group']),
  displayName: z.string(),
  givenName: z.string(),
  surname: z.string(),
  middleName: z.string(),
  prefix: z.string(),
  suffix: z.string(),
  nickname: z.string(),
  emails: z.array(z.object({ type: z.string(), address: z.string(), pref: z.boolean() })),
  phones: z.array(
    z.object({
      type: z.enum(['mobile', 'home', 'work', 'fax', 'other']),
      number: z.string(),
      pref: z.boolean(),
    }),
  ),
  addresses: z.array(
    z.object({
      type: z.enum(['home', 'work', 'other']),
      street: z.string(),
      locality: z.string(),
      region: z.string(),
      postalCode: z.string(),
      country: z.string(),
    }),
  ),
  company: z.string(),
  department: z.string(),
  jobTitle: z.string(),
  birthday: z
    .string()
    .regex(/^(\d{4}|-)-\d{2}-\d{2}$/, 'expected YYYY-MM-DD or --MM-DD')
    .nullable(),
  notes: z.string(),
  categories: z.array(z.string()),
  urls: z.array(z.string()),
  photo: z
    .union([z.object({ mediaType: z.string(), base64: z.string() }), z.object({ uri: z.string() })])
    .nullable(),
  members: z.array(z.string()),
  revision: z.string().nullable(),
});

// Compile-time guarantee that the schemas and the public interfaces describe the same shape.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const eventShapeMatches: Same<z.infer<typeof eventDataSchema>, EventData> = true;
const contactShapeMatches: Same<z.infer<typeof contactDataSchema>, ContactData> = true;
void eventShapeMatches;
void contactShapeMatches;

function fail(what: string, msg: string): never {
  throw new PimParseError('INVALID_DATA', `${what}: ${msg}`);
}

function issuesText(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

/** Throws PimParseError('INVALID_DATA') describing the first problems found. */
export function validateEventData(d: EventData): void {
  const r = eventDataSchema.safeParse(d);
  const what = `Event ${typeof d === 'object' && d && typeof d.uid === 'string' ? d.uid : '?'}`;
  if (!r.success) fail(what, issuesText(r.error));
  const tz = d.timeZone;
  if (tz !== 'floating' && !isUtcAlias(tz) && !isKnownTimeZone(tz)) fail(what, `unknown time zone "${tz}"`);
  const s = parseWallClock(d.start);
  const e = parseWallClock(d.end);
  if (!s || !e) fail(what, 'start/end are not valid dates');
  if (s.dateOnly !== d.allDay || e.dateOnly !== d.allDay) {
    fail(
      what,
      d.allDay ? 'all-day events need date-only start/end' : 'timed events need date-time start/end',
    );
  }
  if (e.secs < s.secs) fail(what, 'end is before start');
  for (const v of [...d.rdates, ...d.exdates, ...(d.recurrenceId ? [d.recurrenceId] : [])]) {
    if (!parseWallClock(v)) fail(what, `"${v}" is not a valid date`);
  }
  if (d.rrule !== null) {
    try {
      parseRRule(d.rrule);
    } catch (err) {
      fail(what, err instanceof Error ? err.message : String(err));
    }
  }
}

export function validateContactData(d: ContactData): void {
  const r = contactDataSchema.safeParse(d);
  if (!r.success)
    fail(
      `Contact ${typeof d === 'object' && d && typeof d.uid === 'string' ? d.uid : '?'}`,
      issuesText(r.error),
    );
}
