// iCalendar (RFC 5545) ⇄ EventData. Parsing keeps each VEVENT's original text; building from an
// original patches only the properties EventData models, so everything else (X- properties, ATTACH,
// extra VALARMs, parameters) survives untouched.
import { createHash } from 'node:crypto';
import {
  type ContentComponent,
  type ContentParam,
  type ContentProperty,
  children,
  componentLines,
  componentToString,
  escapeText,
  firstProp,
  getParam,
  hasParam,
  isModified,
  makeComponent,
  makeProperty,
  parseContent,
  props,
  removeItems,
  replaceProperties,
  setSingle,
  splitEscaped,
  unescapeText,
  withParam,
  withValue,
} from './contentline';
import {
  DAY,
  daysFromCivil,
  formatDate,
  formatDuration,
  formatIcsDate,
  formatIcsLocal,
  formatLocal,
  formatUtc,
  type IcsDateTime,
  nowUtcSecs,
  parseDuration,
  parseIcsDateTime,
  parseUtcIso,
  parseWallClock,
} from './datetime';
import { PimParseError } from './errors';
import { parseRRule } from './rrule';
import { utcToZonedSecs, zonedSecsToUtc } from './timezone';
import type {
  BuildCalendarOptions,
  EventAttendee,
  EventData,
  ParsedCalendar,
  ParsedEvent,
  PimIssue,
} from './types';
import { validateEventData } from './schema';
import {
  type TzContext,
  generateVTimezone,
  makeTzContext,
  resolveTzid,
  tzContextFromBlocks,
  tzidOf,
} from './vtimezone';

const DEFAULT_PRODID = '-//Pimlico//Pimlico Calendar//EN';

// ---------------------------------------------------------------- date values

interface ZonedValue extends IcsDateTime {
  /** 'UTC', 'floating' or an IANA id. */
  zone: string;
}

function readDateValues(
  p: ContentProperty,
  ctx: TzContext,
  issues: PimIssue[],
  uid: string | null,
): ZonedValue[] {
  const valueType = (getParam(p, 'VALUE') ?? '').toUpperCase();
  const tzid = tzidOf(p);
  const out: ZonedValue[] = [];
  for (const raw of p.value.split(',')) {
    const part = raw.trim();
    if (!part) continue;
    // PERIOD values ("start/end" or "start/duration"): only the start defines the instance.
    const v = parseIcsDateTime(part.split('/')[0] ?? part, p.line || null);
    const dateOnly = v.dateOnly || valueType === 'DATE';
    const secs = dateOnly ? Math.floor(v.secs / DAY) * DAY : v.secs;
    let zone = 'floating';
    if (!dateOnly) {
      if (v.utc) zone = 'UTC';
      else if (tzid) {
        const resolved = resolveTzid(tzid, ctx, Number(part.slice(0, 4)) || 2000);
        if (resolved) zone = resolved;
        else {
          issues.push({
            code: 'INVALID_TIMEZONE',
            message: `Unknown TZID "${tzid}" on ${p.name}; treated as floating time`,
            uid,
            dropped: false,
          });
        }
      }
    }
    out.push({ secs, dateOnly, utc: v.utc, zone });
  }
  return out;
}

/** Expresses a value in the event's zone as floating seconds. */
function toZone(v: ZonedValue, target: string): number {
  if (v.dateOnly || v.zone === target || v.zone === 'floating' || target === 'floating') return v.secs;
  const utc = v.zone === 'UTC' ? v.secs : zonedSecsToUtc(v.secs, v.zone);
  return target === 'UTC' ? utc : utcToZonedSecs(utc, target);
}

function fmt(secs: number, dateOnly: boolean): string {
  return dateOnly ? formatDate(Math.floor(secs / DAY)) : formatLocal(secs);
}

function readUtc(p: ContentProperty | null): string | null {
  if (!p) return null;
  try {
    const v = parseIcsDateTime(p.value, p.line || null);
    return formatUtc(v.secs);
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- enum mappings

const ROLE_IN: Record<string, EventAttendee['role']> = {
  'REQ-PARTICIPANT': 'required',
  'OPT-PARTICIPANT': 'optional',
  CHAIR: 'chair',
  'NON-PARTICIPANT': 'non-participant',
};
const ROLE_OUT: Record<EventAttendee['role'], string> = {
  required: 'REQ-PARTICIPANT',
  optional: 'OPT-PARTICIPANT',
  chair: 'CHAIR',
  'non-participant': 'NON-PARTICIPANT',
};
const PARTSTAT_IN: Record<string, EventAttendee['status']> = {
  'NEEDS-ACTION': 'needs-action',
  ACCEPTED: 'accepted',
  DECLINED: 'declined',
  TENTATIVE: 'tentative',
  DELEGATED: 'delegated',
};
const BUSY_IN: Record<string, EventData['showAs']> = {
  FREE: 'free',
  BUSY: 'busy',
  TENTATIVE: 'tentative',
  OOF: 'oof',
  WORKINGELSEWHERE: 'busy',
};
const BUSY_OUT: Record<EventData['showAs'], string> = {
  free: 'FREE',
  busy: 'BUSY',
  tentative: 'TENTATIVE',
  oof: 'OOF',
};

function stripMailto(v: string): string {
  return v.trim().replace(/^mailto:/i, '');
}

function calAddress(p: ContentProperty): string {
  const email = getParam(p, 'EMAIL');
  const value = stripMailto(p.value);
  return /^[a-z][a-z0-9+.-]*:/i.test(value) && email ? email.trim() : value;
}

function attendeeOf(p: ContentProperty): EventAttendee {
  const rsvp = (getParam(p, 'RSVP') ?? '').toUpperCase() === 'TRUE';
  return {
    name: getParam(p, 'CN') ?? '',
    address: calAddress(p),
    role: ROLE_IN[(getParam(p, 'ROLE') ?? '').toUpperCase()] ?? 'required',
    status: PARTSTAT_IN[(getParam(p, 'PARTSTAT') ?? '').toUpperCase()] ?? 'needs-action',
    rsvp,
  };
}

/** Minutes before start for a DISPLAY alarm that fires at/before the start, else null. */
function alarmMinutes(alarm: ContentComponent, startUtc: number | null): number | null {
  if ((firstProp(alarm, 'ACTION')?.value ?? '').trim().toUpperCase() !== 'DISPLAY') return null;
  const trig = firstProp(alarm, 'TRIGGER');
  if (!trig) return null;
  try {
    if ((getParam(trig, 'VALUE') ?? '').toUpperCase() === 'DATE-TIME' || /^\d{8}T/.test(trig.value.trim())) {
      if (startUtc === null) return null;
      const at = parseIcsDateTime(trig.value).secs;
      return at <= startUtc ? Math.round((startUtc - at) / 60) : null;
    }
    if ((getParam(trig, 'RELATED') ?? 'START').toUpperCase() === 'END') return null;
    const d = parseDuration(trig.value);
    return d <= 0 ? Math.round(-d / 60) : null;
  } catch {
    return null;
  }
}

function categoriesOf(c: ContentComponent): string[] {
  const out: string[] = [];
  for (const p of props(c, 'CATEGORIES')) {
    for (const part of splitEscaped(p.value, ',')) {
      const v = unescapeText(part).trim();
      if (v) out.push(v);
    }
  }
  return out;
}

function textOf(c: ContentComponent, name: string): string {
  const p = firstProp(c, name);
  return p ? unescapeText(p.value) : '';
}

function fallbackUid(c: ContentComponent): string {
  const hash = createHash('sha1').update(componentToString(c)).digest('hex').slice(0, 32);
  return `pimlico-${hash}`;
}

function utcOf(local: number, zone: string): number {
  return zone === 'UTC' || zone === 'floating' ? local : zonedSecsToUtc(local, zone);
}

// ---------------------------------------------------------------- VEVENT → EventData

export function eventFromComponent(c: ContentComponent, ctx: TzContext, issues: PimIssue[]): EventData {
  const uidProp = firstProp(c, 'UID');
  const uid = uidProp && uidProp.value.trim() ? unescapeText(uidProp.value.trim()) : fallbackUid(c);
  if (!uidProp)
    issues.push({
      code: 'MISSING_PROPERTY',
      message: 'VEVENT without UID; generated one',
      uid,
      dropped: false,
    });

  const dtProp = firstProp(c, 'DTSTART');
  if (!dtProp) throw new PimParseError('MISSING_PROPERTY', `VEVENT ${uid} has no DTSTART`, c.line || null);
  const st = readDateValues(dtProp, ctx, issues, uid)[0];
  if (!st) throw new PimParseError('INVALID_DATE', `VEVENT ${uid} has an empty DTSTART`, dtProp.line || null);
  const allDay = st.dateOnly;
  const timeZone = allDay ? 'floating' : st.zone;
  const startSecs = st.secs;

  let endSecs: number;
  const endProp = firstProp(c, 'DTEND');
  const durProp = firstProp(c, 'DURATION');
  const endVal = endProp ? readDateValues(endProp, ctx, issues, uid)[0] : undefined;
  if (endVal) {
    endSecs = allDay
      ? Math.floor(endVal.secs / DAY) * DAY
      : endVal.dateOnly
        ? endVal.secs
        : toZone(endVal, timeZone);
  } else if (durProp) {
    const d = parseDuration(durProp.value, durProp.line || null);
    endSecs = startSecs + (allDay ? Math.ceil(d / DAY) * DAY : d);
  } else {
    endSecs = allDay ? startSecs + DAY : startSecs;
  }
  if (endSecs >= daysFromCivil(10000, 1, 1) * DAY) endSecs = startSecs; // past 9999 is not representable
  if (endSecs < startSecs || (allDay && endSecs === startSecs)) {
    if (endSecs < startSecs) {
      issues.push({
        code: 'INVALID_DATE',
        message: `VEVENT ${uid} ends before it starts`,
        uid,
        dropped: false,
      });
    }
    endSecs = allDay ? startSecs + DAY : startSecs;
  }

  let rrule: string | null = null;
  const rr = firstProp(c, 'RRULE');
  if (rr) {
    try {
      parseRRule(rr.value);
      rrule = rr.value.trim();
    } catch (e) {
      issues.push({
        code: 'INVALID_RRULE',
        message: `VEVENT ${uid}: ${e instanceof Error ? e.message : String(e)}; recurrence ignored`,
        uid,
        dropped: false,
      });
    }
  }

  const dateList = (name: string): string[] => {
    const out: string[] = [];
    for (const p of props(c, name)) {
      let values: ZonedValue[];
      try {
        values = readDateValues(p, ctx, issues, uid);
      } catch (e) {
        issues.push({
          code: 'INVALID_DATE',
          message: `VEVENT ${uid}: ${e instanceof Error ? e.message : String(e)}`,
          uid,
          dropped: false,
        });
        continue;
      }
      for (const v of values) {
        const s = fmt(allDay ? v.secs : toZone(v, timeZone), allDay || v.dateOnly);
        if (!out.includes(s)) out.push(s);
      }
    }
    return out;
  };

  let recurrenceId: string | null = null;
  const ridProp = firstProp(c, 'RECURRENCE-ID');
  if (ridProp) {
    const rid = readDateValues(ridProp, ctx, issues, uid)[0];
    if (rid) recurrenceId = fmt(allDay ? rid.secs : toZone(rid, timeZone), allDay || rid.dateOnly);
  }

  const statusRaw = (firstProp(c, 'STATUS')?.value ?? '').trim().toUpperCase();
  const status: EventData['status'] =
    statusRaw === 'TENTATIVE' ? 'tentative' : statusRaw === 'CANCELLED' ? 'cancelled' : 'confirmed';

  const busy = BUSY_IN[(firstProp(c, 'X-MICROSOFT-CDO-BUSYSTATUS')?.value ?? '').trim().toUpperCase()];
  const transparent = (firstProp(c, 'TRANSP')?.value ?? '').trim().toUpperCase() === 'TRANSPARENT';
  const showAs: EventData['showAs'] = busy ?? (transparent ? 'free' : 'busy');

  let importance: EventData['importance'];
  const prio = firstProp(c, 'PRIORITY');
  const prioN = prio ? Number.parseInt(prio.value.trim(), 10) : Number.NaN;
  if (Number.isFinite(prioN)) {
    importance = prioN >= 1 && prioN <= 4 ? 'high' : prioN >= 6 && prioN <= 9 ? 'low' : 'normal';
  } else {
    const msImp = (firstProp(c, 'X-MICROSOFT-CDO-IMPORTANCE')?.value ?? '').trim();
    importance = msImp === '0' ? 'low' : msImp === '2' ? 'high' : 'normal';
  }

  const startUtc = allDay ? null : utcOf(startSecs, timeZone);
  let reminderMinutes: number | null = null;
  for (const alarm of children(c, 'VALARM')) {
    reminderMinutes = alarmMinutes(alarm, startUtc);
    if (reminderMinutes !== null) break;
  }

  const orgProp = firstProp(c, 'ORGANIZER');
  const seq = Number.parseInt(firstProp(c, 'SEQUENCE')?.value.trim() ?? '0', 10);
  const urlProp = firstProp(c, 'URL');

  return {
    uid,
    summary: textOf(c, 'SUMMARY'),
    description: textOf(c, 'DESCRIPTION'),
    location: textOf(c, 'LOCATION'),
    start: fmt(startSecs, allDay),
    end: fmt(endSecs, allDay),
    timeZone,
    allDay,
    rrule,
    rdates: dateList('RDATE'),
    exdates: dateList('EXDATE'),
    recurrenceId,
    status,
    showAs,
    importance,
    reminderMinutes,
    organizer: orgProp ? { name: getParam(orgProp, 'CN') ?? '', address: calAddress(orgProp) } : null,
    attendees: props(c, 'ATTENDEE').map(attendeeOf),
    categories: categoriesOf(c),
    url: urlProp && urlProp.value.trim() ? urlProp.value.trim() : null,
    sequence: Number.isFinite(seq) && seq >= 0 ? seq : 0,
    created: readUtc(firstProp(c, 'CREATED')),
    lastModified: readUtc(firstProp(c, 'LAST-MODIFIED')),
  };
}

// ---------------------------------------------------------------- parse

export function parseICalendar(text: string): ParsedCalendar {
  if (typeof text !== 'string' || !text.trim()) {
    throw new PimParseError('EMPTY_INPUT', 'The calendar data is empty');
  }
  if (!/^[ \t]*BEGIN:(VCALENDAR|VEVENT)[ \t]*$/im.test(text)) {
    throw new PimParseError('NOT_ICALENDAR', 'This is not iCalendar data (no BEGIN:VCALENDAR)');
  }
  const roots = parseContent(text);
  let calendars = roots.filter((r) => r.name === 'VCALENDAR');
  if (!calendars.length) {
    // Bare VEVENTs (some mail clients and "copy event" exports) are accepted as one calendar.
    if (!roots.some((r) => r.name === 'VEVENT')) {
      throw new PimParseError('NOT_ICALENDAR', 'This is not iCalendar data (no VCALENDAR component)');
    }
    calendars = [makeComponent('VCALENDAR', roots)];
  }

  const vtimezones: ContentComponent[] = [];
  for (const cal of calendars) vtimezones.push(...children(cal, 'VTIMEZONE'));
  const ctx = makeTzContext(vtimezones);

  let method: string | null = null;
  const calendarProperties: string[] = [];
  const otherComponents: string[] = [];
  const events: ParsedEvent[] = [];
  const issues: PimIssue[] = [];
  for (const cal of calendars) {
    for (const item of cal.items) {
      if (item.kind === 'property') {
        if (item.name === 'METHOD' && method === null) method = item.value.trim().toUpperCase() || null;
        calendarProperties.push(item.raw ?? item.rawName + ':' + item.value);
      } else if (item.name === 'VEVENT') {
        try {
          events.push({ data: eventFromComponent(item, ctx, issues), component: componentToString(item) });
        } catch (e) {
          if (!(e instanceof PimParseError)) throw e;
          const uid = firstProp(item, 'UID')?.value.trim() ?? null;
          issues.push({ code: e.code, message: e.message, uid, dropped: true });
          // Kept verbatim so that rebuilding the file still carries the component we could not read.
          otherComponents.push(componentToString(item));
        }
      } else if (item.name !== 'VTIMEZONE') {
        otherComponents.push(componentToString(item));
      }
    }
  }
  const wrTz = calendars.map((c) => firstProp(c, 'X-WR-TIMEZONE')?.value.trim()).find(Boolean);
  return {
    method,
    defaultTimeZone: wrTz ? resolveTzid(wrTz, ctx, new Date().getUTCFullYear()) : null,
    events,
    timezones: vtimezones.map(componentToString),
    calendarProperties,
    otherComponents,
    issues,
  };
}

// ---------------------------------------------------------------- build

function compactLocal(v: string): { text: string; dateOnly: boolean } {
  const w = parseWallClock(v);
  if (!w) throw new PimParseError('INVALID_DATA', `"${v}" is not a wall-clock ISO date or date-time`);
  return w.dateOnly
    ? { text: formatIcsDate(Math.floor(w.secs / DAY)), dateOnly: true }
    : { text: formatIcsLocal(w.secs), dateOnly: false };
}

function compactUtc(v: string): string {
  const s = parseUtcIso(v);
  if (s === null) throw new PimParseError('INVALID_DATA', `"${v}" is not a UTC ISO instant`);
  return formatIcsLocal(s) + 'Z';
}

interface ZoneSpec {
  allDay: boolean;
  timeZone: string;
  /** TZID parameter to write for IANA zones (may be the original file's alias, e.g. a Windows name). */
  label: string;
}

/** A date property carrying one or more values in the event's zone; keeps unrelated parameters. */
function dateProp(
  name: string,
  existing: ContentProperty | null,
  values: string[],
  z: ZoneSpec,
): ContentProperty {
  const base = existing ?? makeProperty(name, '');
  const kept = base.params.filter((p) => !['VALUE', 'TZID'].includes(p.name.toUpperCase()));
  const compact = values.map(compactLocal);
  const dateOnly = z.allDay || compact.every((c) => c.dateOnly);
  const lead: ContentParam[] = [];
  let value: string;
  if (dateOnly) {
    lead.push({ name: 'VALUE', values: ['DATE'] });
    value = compact.map((c) => c.text.slice(0, 8)).join(',');
  } else if (z.timeZone === 'UTC') {
    value = compact.map((c) => c.text + 'Z').join(',');
  } else if (z.timeZone === 'floating') {
    value = compact.map((c) => c.text).join(',');
  } else {
    lead.push({ name: 'TZID', values: [z.label] });
    value = compact.map((c) => c.text).join(',');
  }
  return { ...base, params: [...lead, ...kept], value, raw: null };
}

/** EXDATE/RDATE lists: timed values share one line; stray date-only values get their own VALUE=DATE line. */
function dateListProps(name: string, values: string[], z: ZoneSpec): ContentProperty[] {
  if (!values.length) return [];
  if (z.allDay) return [dateProp(name, null, values, z)];
  const timed = values.filter((v) => v.includes('T'));
  const dates = values.filter((v) => !v.includes('T'));
  const out: ContentProperty[] = [];
  if (timed.length) out.push(dateProp(name, null, timed, z));
  if (dates.length) out.push(dateProp(name, null, dates, { ...z, allDay: true }));
  return out;
}

function sameArray(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function sameAttendee(a: EventAttendee, b: EventAttendee): boolean {
  return (
    a.name === b.name &&
    a.address === b.address &&
    a.role === b.role &&
    a.status === b.status &&
    a.rsvp === b.rsvp
  );
}

function setValue(c: ContentComponent, name: string, value: string | null): void {
  setSingle(c, name, (ex) => {
    if (value === null) return null;
    if (ex && ex.value === value) return ex;
    return ex ? withValue(ex, value) : makeProperty(name, value);
  });
}

function patchText(c: ContentComponent, name: string, before: string | null, next: string): boolean {
  if (before !== null && before === next) return false;
  setSingle(c, name, (ex) => {
    if (next === '') return null;
    // ALTREP points at an alternative rendering of the old text; it would now contradict the new one.
    const base = ex ? withParam(ex, 'ALTREP', null) : makeProperty(name, '');
    return withValue(base, escapeText(next));
  });
  return true;
}

function calAddressProp(
  name: string,
  existing: ContentProperty | null,
  before: { name: string; address: string } | null,
  next: { name: string; address: string },
): ContentProperty {
  const sameAddr = !!existing && !!before && before.address.toLowerCase() === next.address.toLowerCase();
  let p = sameAddr && existing ? existing : makeProperty(name, '');
  if (!sameAddr || before?.address !== next.address) {
    p =
      hasParam(p, 'EMAIL') && !/^mailto:/i.test(p.value)
        ? withParam(p, 'EMAIL', [next.address])
        : withValue(p, `mailto:${next.address}`);
  }
  if (!sameAddr || before?.name !== next.name) p = withParam(p, 'CN', next.name ? [next.name] : null);
  return p;
}

function attendeeProp(
  existing: ContentProperty | null,
  before: EventAttendee | null,
  a: EventAttendee,
): ContentProperty {
  if (existing && before && sameAttendee(before, a)) return existing;
  let p = calAddressProp('ATTENDEE', existing, before, a);
  if (!existing || !before) {
    p = withParam(p, 'ROLE', [ROLE_OUT[a.role]]);
    p = withParam(p, 'PARTSTAT', [a.status.toUpperCase()]);
    return a.rsvp ? withParam(p, 'RSVP', ['TRUE']) : p;
  }
  // Only parameters whose modelled meaning changed are touched; CUTYPE, X-NUM-GUESTS etc. stay.
  if (before.role !== a.role) p = withParam(p, 'ROLE', [ROLE_OUT[a.role]]);
  if (before.status !== a.status) p = withParam(p, 'PARTSTAT', [a.status.toUpperCase()]);
  if (before.rsvp !== a.rsvp)
    p = withParam(p, 'RSVP', a.rsvp ? ['TRUE'] : hasParam(p, 'RSVP') ? ['FALSE'] : null);
  return p;
}

function patchEvent(c: ContentComponent, d: EventData, orig: EventData | null): void {
  const origStart = firstProp(c, 'DTSTART');
  const origTzid = origStart ? tzidOf(origStart) : null;
  const z: ZoneSpec = {
    allDay: d.allDay,
    timeZone: d.timeZone,
    label: origTzid && orig && orig.timeZone === d.timeZone ? origTzid : d.timeZone,
  };
  const zoneChanged = !orig || orig.timeZone !== d.timeZone || orig.allDay !== d.allDay;
  const startChanged = zoneChanged || !orig || orig.start !== d.start;
  const endChanged = startChanged || !orig || orig.end !== d.end;

  if (!orig || orig.uid !== d.uid) setValue(c, 'UID', escapeText(d.uid));
  if (!firstProp(c, 'DTSTAMP')) setValue(c, 'DTSTAMP', formatIcsLocal(nowUtcSecs()) + 'Z');
  if (!orig || orig.created !== d.created)
    setValue(c, 'CREATED', d.created === null ? null : compactUtc(d.created));
  if (!orig || orig.lastModified !== d.lastModified) {
    setValue(c, 'LAST-MODIFIED', d.lastModified === null ? null : compactUtc(d.lastModified));
  }
  if (!orig || orig.sequence !== d.sequence) setValue(c, 'SEQUENCE', String(d.sequence));

  if (startChanged) setSingle(c, 'DTSTART', (ex) => dateProp('DTSTART', ex, [d.start], z));
  if (endChanged) {
    const hasDtend = !!firstProp(c, 'DTEND');
    const hasDuration = !!firstProp(c, 'DURATION');
    const s = parseWallClock(d.start);
    const e = parseWallClock(d.end);
    const length = s && e ? e.secs - s.secs : 0;
    const implicit = d.allDay ? length === DAY : length === 0;
    if (hasDuration && !hasDtend) {
      setValue(c, 'DURATION', formatDuration(length));
    } else if (!hasDtend && orig && implicit) {
      // The end still follows from DTSTART alone (RFC 5545 3.6.1 defaults); nothing to write.
    } else {
      setSingle(c, 'DTEND', (ex) => dateProp('DTEND', ex, [d.end], z));
      removeItems(c, (i) => i.kind === 'property' && i.name === 'DURATION');
    }
  }

  if (!orig || orig.rrule !== d.rrule) {
    if (d.rrule !== null) parseRRule(d.rrule);
    setValue(c, 'RRULE', d.rrule);
  }
  if (zoneChanged || !orig || !sameArray(orig.rdates, d.rdates)) {
    replaceProperties(c, 'RDATE', dateListProps('RDATE', d.rdates, z));
  }
  if (zoneChanged || !orig || !sameArray(orig.exdates, d.exdates)) {
    replaceProperties(c, 'EXDATE', dateListProps('EXDATE', d.exdates, z));
  }
  if (zoneChanged || !orig || orig.recurrenceId !== d.recurrenceId) {
    const rid = d.recurrenceId;
    setSingle(c, 'RECURRENCE-ID', (ex) => (rid === null ? null : dateProp('RECURRENCE-ID', ex, [rid], z)));
  }

  patchText(c, 'SUMMARY', orig ? orig.summary : null, d.summary);
  if (patchText(c, 'DESCRIPTION', orig ? orig.description : null, d.description)) {
    // Outlook's HTML twin of DESCRIPTION would keep showing the old text.
    removeItems(c, (i) => i.kind === 'property' && i.name === 'X-ALT-DESC');
  }
  if (patchText(c, 'LOCATION', orig ? orig.location : null, d.location)) {
    // Apple's geo-resolved location would keep pointing at the old place.
    removeItems(c, (i) => i.kind === 'property' && i.name === 'X-APPLE-STRUCTURED-LOCATION');
  }
  if (!orig || orig.url !== d.url) setValue(c, 'URL', d.url);

  if (!orig || orig.status !== d.status) {
    setValue(c, 'STATUS', d.status.toUpperCase());
  }
  if (!orig || orig.showAs !== d.showAs) {
    setValue(c, 'TRANSP', d.showAs === 'free' ? 'TRANSPARENT' : 'OPAQUE');
    const busy = BUSY_OUT[d.showAs];
    if (firstProp(c, 'X-MICROSOFT-CDO-BUSYSTATUS') || d.showAs === 'tentative' || d.showAs === 'oof') {
      setValue(c, 'X-MICROSOFT-CDO-BUSYSTATUS', busy);
    }
    if (firstProp(c, 'X-MICROSOFT-CDO-INTENDEDSTATUS')) setValue(c, 'X-MICROSOFT-CDO-INTENDEDSTATUS', busy);
  }
  if (!orig || orig.importance !== d.importance) {
    const prio = d.importance === 'high' ? '1' : d.importance === 'low' ? '9' : '5';
    if (firstProp(c, 'PRIORITY') || d.importance !== 'normal') setValue(c, 'PRIORITY', prio);
    if (firstProp(c, 'X-MICROSOFT-CDO-IMPORTANCE')) {
      setValue(
        c,
        'X-MICROSOFT-CDO-IMPORTANCE',
        d.importance === 'high' ? '2' : d.importance === 'low' ? '0' : '1',
      );
    }
  }

  if (!orig || !sameArray(orig.categories, d.categories)) {
    replaceProperties(
      c,
      'CATEGORIES',
      d.categories.length ? [makeProperty('CATEGORIES', d.categories.map(escapeText).join(','))] : [],
    );
  }

  const sameOrganizer =
    orig &&
    ((orig.organizer === null && d.organizer === null) ||
      (orig.organizer !== null &&
        d.organizer !== null &&
        orig.organizer.name === d.organizer.name &&
        orig.organizer.address === d.organizer.address));
  if (!sameOrganizer) {
    const next = d.organizer;
    setSingle(c, 'ORGANIZER', (ex) =>
      next ? calAddressProp('ORGANIZER', ex, orig?.organizer ?? null, next) : null,
    );
  }

  const sameAttendees =
    orig &&
    orig.attendees.length === d.attendees.length &&
    orig.attendees.every((a, i) => sameAttendee(a, d.attendees[i] as EventAttendee));
  if (!sameAttendees) {
    const before = props(c, 'ATTENDEE');
    const parsed = before.map(attendeeOf);
    const used = new Set<number>();
    const next = d.attendees.map((a) => {
      const idx = parsed.findIndex(
        (p, i) => !used.has(i) && p.address.toLowerCase() === a.address.toLowerCase(),
      );
      if (idx < 0) return attendeeProp(null, null, a);
      used.add(idx);
      return attendeeProp(before[idx] ?? null, parsed[idx] ?? null, a);
    });
    replaceProperties(c, 'ATTENDEE', next);
  }

  // An absolute DISPLAY trigger would stop matching the reminder once the start moves.
  const absoluteAlarm = children(c, 'VALARM').some((a) => {
    const trigger = firstProp(a, 'TRIGGER');
    return trigger !== null && (getParam(trigger, 'VALUE') ?? '').toUpperCase() === 'DATE-TIME';
  });
  if (
    !orig ||
    orig.reminderMinutes !== d.reminderMinutes ||
    (startChanged && absoluteAlarm && d.reminderMinutes !== null)
  ) {
    patchReminder(c, d, orig);
  }
}

function patchReminder(c: ContentComponent, d: EventData, orig: EventData | null): void {
  const startUtc = orig && !orig.allDay ? utcFromModel(orig.start, orig.timeZone) : null;
  const alarms = children(c, 'VALARM');
  const qualifying = alarms.filter((a) => alarmMinutes(a, startUtc) !== null);
  const minutes = d.reminderMinutes;
  if (minutes === null) {
    removeItems(c, (i) => i.kind === 'component' && qualifying.includes(i));
    return;
  }
  const trigger = formatDuration(-Math.round(minutes) * 60);
  const first = qualifying[0];
  if (first) {
    setSingle(first, 'TRIGGER', (ex) => {
      const base = ex
        ? withParam(withParam(ex, 'VALUE', null), 'RELATED', null)
        : makeProperty('TRIGGER', '');
      return withValue(base, trigger);
    });
    return;
  }
  c.items.push(
    makeComponent('VALARM', [
      makeProperty('ACTION', 'DISPLAY'),
      makeProperty('DESCRIPTION', 'Reminder'),
      makeProperty('TRIGGER', trigger),
    ]),
  );
}

function utcFromModel(local: string, zone: string): number | null {
  const w = parseWallClock(local);
  if (!w) return null;
  try {
    return utcOf(w.secs, zone);
  } catch {
    return null;
  }
}

/**
 * The VEVENT to patch. `original` may be the VEVENT itself or a whole calendar object (e.g. a CalDAV
 * resource holding a master and its overrides); then the VEVENT with the same UID and RECURRENCE-ID is
 * used, and the resource's VTIMEZONEs resolve and accompany its TZIDs.
 */
function parseOriginal(
  original: string,
  data: EventData,
  ctx: TzContext,
): { event: ContentComponent; ctx: TzContext } {
  const roots = parseContent(original);
  const candidates: ContentComponent[] = [];
  const tzs: ContentComponent[] = [];
  for (const r of roots) {
    if (r.name === 'VEVENT') candidates.push(r);
    else if (r.name === 'VCALENDAR') {
      candidates.push(...children(r, 'VEVENT'));
      tzs.push(...children(r, 'VTIMEZONE'));
    }
  }
  const localCtx = tzs.length ? makeTzContext([...ctx.vtimezones.values(), ...tzs]) : ctx;
  let event = candidates.length === 1 ? candidates[0] : undefined;
  if (!event && candidates.length > 1) {
    event = candidates.find((c) => {
      try {
        const d = eventFromComponent(c, localCtx, []);
        return d.uid === data.uid && d.recurrenceId === data.recurrenceId;
      } catch {
        return false;
      }
    });
    event ??=
      candidates.find((c) => !firstProp(c, 'RECURRENCE-ID') === (data.recurrenceId === null)) ??
      candidates[0];
  }
  if (!event) throw new PimParseError('INVALID_DATA', 'The original text contains no VEVENT');
  return { event, ctx: localCtx };
}

function normaliseBlock(text: string): string {
  const t = text.replace(/\r\n|\r|\n/g, '\r\n');
  return t.endsWith('\r\n') ? t : t + '\r\n';
}

export function buildICalendar(
  events: { data: EventData; original?: string }[],
  opts: BuildCalendarOptions = {},
): string {
  const ctx = tzContextFromBlocks(opts.timezones ?? []);
  const verbatimTz = new Map<string, string>();
  for (const [id, comp] of ctx.vtimezones) verbatimTz.set(id, componentToString(comp));

  const vevents: ContentComponent[] = [];
  for (const ev of events) {
    validateEventData(ev.data);
    if (ev.original !== undefined) {
      const { event, ctx: localCtx } = parseOriginal(ev.original, ev.data, ctx);
      if (localCtx !== ctx) {
        for (const [id, comp] of localCtx.vtimezones)
          if (!verbatimTz.has(id)) verbatimTz.set(id, componentToString(comp));
      }
      const orig = eventFromComponent(event, localCtx, []);
      patchEvent(event, ev.data, orig);
      // The UID of a UID-less original was derived from its content; pin it before the content changes.
      if (!firstProp(event, 'UID') && isModified(event)) setValue(event, 'UID', escapeText(ev.data.uid));
      vevents.push(event);
    } else {
      const event = makeComponent('VEVENT');
      patchEvent(event, ev.data, null);
      vevents.push(event);
    }
  }

  // Every TZID referenced anywhere needs a VTIMEZONE (RFC 5545 3.2.19); note the years involved.
  const used = new Map<string, { min: number; max: number }>();
  const walk = (c: ContentComponent): void => {
    for (const item of c.items) {
      if (item.kind === 'component') {
        walk(item);
        continue;
      }
      const tzid = tzidOf(item);
      if (!tzid) continue;
      const years = item.value
        .split(',')
        .map((v) => Number(v.trim().slice(0, 4)))
        .filter((y) => Number.isFinite(y) && y > 0);
      const r = used.get(tzid) ?? { min: 9999, max: 0 };
      for (const y of years) {
        r.min = Math.min(r.min, y);
        r.max = Math.max(r.max, y);
      }
      used.set(tzid, r);
    }
  };
  vevents.forEach(walk);

  const lines: string[] = ['BEGIN:VCALENDAR', 'VERSION:2.0'];
  const calProps = (opts.calendarProperties ?? []).map((raw) => ({
    raw,
    name: (/^[A-Za-z0-9-]+/.exec(raw)?.[0] ?? '').toUpperCase(),
  }));
  const origProdId = calProps.find((p) => p.name === 'PRODID');
  lines.push(
    opts.prodId
      ? `PRODID:${opts.prodId}`
      : origProdId
        ? normaliseBlock(origProdId.raw).trimEnd()
        : `PRODID:${DEFAULT_PRODID}`,
  );
  const calscale = calProps.find((p) => p.name === 'CALSCALE');
  // CALSCALE defaults to GREGORIAN; only add it to files we author, never to ones we round-trip.
  if (calscale) lines.push(normaliseBlock(calscale.raw).trimEnd());
  else if (!opts.calendarProperties) lines.push('CALSCALE:GREGORIAN');
  // METHOD describes the transport (iTIP); it must never leak into a stored CalDAV resource.
  if (opts.method) lines.push(`METHOD:${opts.method}`);
  for (const p of calProps) {
    if (['VERSION', 'PRODID', 'CALSCALE', 'METHOD', ''].includes(p.name)) continue;
    lines.push(normaliseBlock(p.raw).trimEnd());
  }
  for (const [tzid, range] of used) {
    const verbatim = verbatimTz.get(tzid);
    if (verbatim) {
      lines.push(verbatim.trimEnd());
      continue;
    }
    const iana = resolveTzid(tzid, ctx, range.min === 9999 ? 2000 : range.min);
    if (!iana) continue;
    const fromYear = range.min === 9999 ? new Date().getUTCFullYear() : range.min - 1;
    const toYear = Math.max(range.max, new Date().getUTCFullYear());
    lines.push(...componentLines(generateVTimezone(tzid, iana, fromYear, toYear)));
  }
  for (const ev of vevents) lines.push(...componentLines(ev));
  for (const other of opts.otherComponents ?? []) lines.push(normaliseBlock(other).trimEnd());
  lines.push('END:VCALENDAR');
  return lines.join('\r\n') + '\r\n';
}
