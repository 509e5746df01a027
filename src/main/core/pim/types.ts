import { type PimErrorCode } from './errors';

export interface EventAttendee {
  name: string;
  address: string;
  role: 'required' | 'optional' | 'chair' | 'non-participant';
  status: 'needs-action' | 'accepted' | 'declined' | 'tentative' | 'delegated';
  rsvp: boolean;
}

export interface EventData {
  uid: string;
  summary: string;
  description: string;
  location: string;
  /** Wall-clock ISO without offset ("2026-03-08T09:00:00") in `timeZone`, or "2026-03-08" when allDay. */
  start: string;
  /** Same form as start. For all-day events this is exclusive (the day after the last day), as in iCalendar. */
  end: string;
  /** IANA zone ("America/New_York"), "UTC", or "floating". */
  timeZone: string;
  allDay: boolean;
  /** RRULE value, e.g. "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10". */
  rrule: string | null;
  /** Wall-clock ISO in timeZone (date-only for all-day events). */
  rdates: string[];
  exdates: string[];
  /** Set on an exception (override) instance: the original slot, wall clock in this event's timeZone. */
  recurrenceId: string | null;
  status: 'confirmed' | 'tentative' | 'cancelled';
  /** From TRANSP, refined by X-MICROSOFT-CDO-BUSYSTATUS when present. */
  showAs: 'free' | 'busy' | 'tentative' | 'oof';
  /** From PRIORITY (1–4 high, 5/0/absent normal, 6–9 low). */
  importance: 'low' | 'normal' | 'high';
  /** First VALARM with ACTION:DISPLAY that triggers at or before the start, in minutes before start. */
  reminderMinutes: number | null;
  organizer: { name: string; address: string } | null;
  attendees: EventAttendee[];
  categories: string[];
  url: string | null;
  sequence: number;
  /** UTC ISO ("2026-03-08T14:00:00Z"). */
  created: string | null;
  lastModified: string | null;
}

export interface ParsedEvent {
  data: EventData;
  /** This VEVENT with everything, serialised (CRLF, original folding). */
  component: string;
}

/** Something in the input that was repaired or dropped rather than failing the whole file. */
export interface PimIssue {
  code: PimErrorCode;
  message: string;
  uid: string | null;
  /** True when the component was skipped. */
  dropped: boolean;
}

export interface ParsedCalendar {
  method: string | null;
  /** X-WR-TIMEZONE (resolved to IANA): the zone the producer meant for floating times, if it said. */
  defaultTimeZone: string | null;
  events: ParsedEvent[];
  /** VTIMEZONE blocks, serialised verbatim. */
  timezones: string[];
  /** VCALENDAR-level properties (raw lines) so a whole file can be rebuilt losslessly. */
  calendarProperties: string[];
  /**
   * Components other than VEVENT/VTIMEZONE (VTODO, VJOURNAL, VFREEBUSY, X-…) and VEVENTs that could not
   * be read (see issues), serialised verbatim.
   */
  otherComponents: string[];
  issues: PimIssue[];
}

export interface BuildCalendarOptions {
  method?: 'PUBLISH' | 'REQUEST' | 'REPLY' | 'CANCEL' | 'COUNTER' | 'DECLINECOUNTER' | 'REFRESH';
  prodId?: string;
  /** VTIMEZONE blocks to reuse verbatim when their TZID is referenced (e.g. ParsedCalendar.timezones). */
  timezones?: string[];
  /** VCALENDAR-level properties to carry over (ParsedCalendar.calendarProperties). METHOD is never copied. */
  calendarProperties?: string[];
  /** Extra components to append verbatim (ParsedCalendar.otherComponents). */
  otherComponents?: string[];
}

export interface Occurrence {
  uid: string;
  /** Wall clock of the original slot for recurring events (date for all-day), else null. */
  recurrenceId: string | null;
  /** UTC ISO with Z. */
  start: string;
  end: string;
  /** Wall clock in timeZone (date for all-day). */
  startLocal: string;
  endLocal: string;
  timeZone: string;
  allDay: boolean;
  isException: boolean;
  data: EventData;
}

export interface ExpandOptions {
  /** Default 5000. */
  maxOccurrences?: number;
  /** Zone used to place floating times and all-day dates on the UTC time line (default "UTC"). */
  floatingTimeZone?: string;
  /** Also return instances whose status is cancelled (default false). */
  includeCancelled?: boolean;
}

export type PhoneType = 'mobile' | 'home' | 'work' | 'fax' | 'other';
export type AddressType = 'home' | 'work' | 'other';

export interface ContactEmail {
  type: string;
  address: string;
  pref: boolean;
}
export interface ContactPhone {
  type: PhoneType;
  number: string;
  pref: boolean;
}
export interface ContactAddress {
  type: AddressType;
  street: string;
  locality: string;
  region: string;
  postalCode: string;
  country: string;
}
export type ContactPhoto = { mediaType: string; base64: string } | { uri: string };

export interface ContactData {
  uid: string;
  kind: 'individual' | 'group';
  displayName: string;
  givenName: string;
  surname: string;
  middleName: string;
  prefix: string;
  suffix: string;
  nickname: string;
  emails: ContactEmail[];
  phones: ContactPhone[];
  addresses: ContactAddress[];
  company: string;
  department: string;
  jobTitle: string;
  /** YYYY-MM-DD, or --MM-DD when the year is unknown. */
  birthday: string | null;
  notes: string;
  categories: string[];
  urls: string[];
  photo: ContactPhoto | null;
  /** Group member uids/urns ("urn:uuid:…"). */
  members: string[];
  /** UTC ISO when parseable, else the raw REV value. */
  revision: string | null;
}

export interface ParsedContact {
  data: ContactData;
  /** vCard 2.1 input is reported as 3.0; building from it writes valid 3.0. */
  version: '3.0' | '4.0';
  /** This VCARD, serialised as found. */
  original: string;
}

export interface BuildVCardOptions {
  version?: '3.0' | '4.0';
  original?: string;
}
