// Calendar/contacts data layer shared by CalDAV/CardDAV sync, .ics/.vcf import/export, the REST API and
// the UI. Plain Node: no electron imports anywhere below this directory.
export type {
  BuildCalendarOptions,
  BuildVCardOptions,
  ContactAddress,
  ContactData,
  ContactEmail,
  ContactPhone,
  ContactPhoto,
  EventAttendee,
  EventData,
  ExpandOptions,
  Occurrence,
  ParsedCalendar,
  ParsedContact,
  ParsedEvent,
  PimIssue,
} from './types';
export { PimParseError, type PimErrorCode } from './errors';
export { parseICalendar, buildICalendar } from './ical';
export { expandOccurrences } from './expand';
export { zonedWallClockToUtc, utcToZonedWallClock } from './timezone';
export { parseVCards, buildVCard } from './vcard';
export { eventDataSchema, contactDataSchema, validateEventData, validateContactData } from './schema';
