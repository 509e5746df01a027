import type { FieldMap } from '../odata';

// Public item field names (the connector's CalendarItem and ContactItem) mapped onto the cache's
// columns, for $filter and $orderby. Enum values are stored lower-case and shown capitalised, so the
// SQL capitalises them too: `ShowAs eq 'Busy'` works as a client expects. Address lists are the same
// ';'-separated strings the API answers with.

const capitalised = (column: string) => `upper(substr(${column}, 1, 1)) || substr(${column}, 2)`;
const addresses = (json: string, where = '') =>
  `coalesce((SELECT group_concat(value ->> 'address', ';') FROM json_each(${json})${where}), '')`;

/** Columns of `events e`. Start/End are instants (epoch ms); End of a series is the end of its last occurrence. */
export const EVENT_FIELDS: FieldMap = {
  Id: { sql: 'e.id', type: 'string' },
  ItemInternalId: { sql: 'e.id', type: 'string' },
  Subject: { sql: 'e.summary', type: 'string' },
  Start: { sql: 'e.start_utc', type: 'datetime' },
  End: { sql: 'e.end_utc', type: 'datetime' },
  TimeZone: { sql: 'e.time_zone', type: 'string' },
  IsAllDay: { sql: 'e.all_day', type: 'boolean' },
  Location: { sql: 'e.location', type: 'string' },
  Body: { sql: 'e.description', type: 'string' },
  IsHtml: { sql: '0', type: 'boolean' },
  ShowAs: { sql: capitalised('e.show_as'), type: 'string' },
  Importance: { sql: capitalised('e.importance'), type: 'string' },
  Reminder: { sql: 'e.reminder_minutes', type: 'number' },
  RequiredAttendees: { sql: addresses('e.attendees_json', ` WHERE coalesce(value ->> 'role', 'required') <> 'optional'`), type: 'string' },
  OptionalAttendees: { sql: addresses('e.attendees_json', ` WHERE value ->> 'role' = 'optional'`), type: 'string' },
  Organizer: { sql: `coalesce(json_extract(e.organizer_json, '$.address'), '')`, type: 'string' },
  Categories: { sql: `coalesce((SELECT group_concat(value, ';') FROM json_each(e.categories_json)), '')`, type: 'string' },
  Recurrence: { sql: `coalesce(e.rrule, '')`, type: 'string' },
  CreatedTime: { sql: 'e.created_at', type: 'datetime' },
  LastModifiedTime: { sql: 'e.updated_at', type: 'datetime' },
};

const phone = (type: string) => `coalesce((SELECT value ->> 'number' FROM json_each(c.phones_json) WHERE value ->> 'type' = '${type}' LIMIT 1), '')`;
const phones = (type: string) => `coalesce((SELECT group_concat(value ->> 'number', ';') FROM json_each(c.phones_json) WHERE value ->> 'type' = '${type}'), '')`;
const postal = (type: string) =>
  `coalesce((SELECT trim(concat_ws(' ', value ->> 'street', value ->> 'postalCode', value ->> 'locality', value ->> 'region', value ->> 'country'))
     FROM json_each(c.addresses_json) WHERE value ->> 'type' = '${type}' LIMIT 1), '')`;

/** Columns of `contacts c`. */
export const CONTACT_FIELDS: FieldMap = {
  Id: { sql: 'c.id', type: 'string' },
  ItemInternalId: { sql: 'c.id', type: 'string' },
  DisplayName: { sql: 'c.display_name', type: 'string' },
  GivenName: { sql: 'c.given_name', type: 'string' },
  Surname: { sql: 'c.surname', type: 'string' },
  EmailAddresses: { sql: addresses('c.emails_json'), type: 'string' },
  MobilePhone1: { sql: phone('mobile'), type: 'string' },
  HomePhones: { sql: phones('home'), type: 'string' },
  BusinessPhones: { sql: phones('work'), type: 'string' },
  CompanyName: { sql: 'c.company', type: 'string' },
  JobTitle: { sql: 'c.job_title', type: 'string' },
  Birthday: { sql: `coalesce(c.birthday, '')`, type: 'string' },
  HomeAddress: { sql: postal('home'), type: 'string' },
  BusinessAddress: { sql: postal('work'), type: 'string' },
  PersonalNotes: { sql: 'c.notes', type: 'string' },
  Categories: { sql: `coalesce((SELECT group_concat(value, ';') FROM json_each(c.categories_json)), '')`, type: 'string' },
  CreatedTime: { sql: 'c.created_at', type: 'datetime' },
  LastModifiedTime: { sql: 'c.updated_at', type: 'datetime' },
};

export const EVENT_DEFAULT_ORDER = 'Start asc,Id asc';
export const CONTACT_DEFAULT_ORDER = 'DisplayName asc,Id asc';
