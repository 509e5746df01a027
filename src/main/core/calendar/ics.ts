// .ics import and export. A row keeps the iCalendar text it came from (`ical`), so export patches only what
// Pimlico edits over that text: unknown properties, X- extensions, alarms and VTIMEZONEs travel unchanged.
import { buildICalendar, parseICalendar, type EventData, type ParsedCalendar, type ParsedEvent } from '../pim';
import type { StoredEvent } from '../store';
import { eventToData } from './columns';

function sameSlot(a: { uid: string; recurrenceId: string | null }, b: { uid: string; recurrenceId: string | null }): boolean {
  return a.uid === b.uid && (a.recurrenceId ?? null) === (b.recurrenceId ?? null);
}


/** One iCalendar text with every given row, each patched over its original component when there is one. */
export function exportEvents(rows: StoredEvent[], opts: { method?: 'PUBLISH' | 'REQUEST' | 'REPLY' | 'CANCEL' } = {}): string {
  const parsedByText = new Map<string, ParsedCalendar | null>();
  const parse = (text: string): ParsedCalendar | null => {
    if (!parsedByText.has(text)) {
      try {
        parsedByText.set(text, parseICalendar(text));
      } catch {
        parsedByText.set(text, null);
      }
    }
    return parsedByText.get(text) ?? null;
  };
  const timezones = new Map<string, string>();
  const calendarProperties: string[] = [];
  const seenProps = new Set<string>();
  const events: { data: EventData; original?: string }[] = [];
  for (const row of rows) {
    const parsed = row.ical ? parse(row.ical) : null;
    const original: ParsedEvent | undefined = parsed?.events.find((e) => sameSlot(e.data, row));
    if (parsed) {
      for (const tz of parsed.timezones) timezones.set(/^TZID[^:]*:(.*)$/m.exec(tz)?.[1]?.trim() ?? tz, tz);
      for (const p of parsed.calendarProperties) {
        if (seenProps.has(p)) continue;
        seenProps.add(p);
        calendarProperties.push(p);
      }
    }
    events.push(original ? { data: eventToData(row, original.data), original: original.component } : { data: eventToData(row) });
  }
  return buildICalendar(events, {
    ...(opts.method ? { method: opts.method } : {}),
    timezones: [...timezones.values()],
    ...(calendarProperties.length ? { calendarProperties } : {}),
  });
}

/** One resource per UID, as CalDAV stores them: the UID's components with the file's VTIMEZONEs and calendar properties. */
export interface ImportedResource {
  uid: string;
  text: string;
  events: ParsedEvent[];
}

export function splitByUid(parsed: ParsedCalendar): ImportedResource[] {
  const byUid = new Map<string, ParsedEvent[]>();
  for (const ev of parsed.events) {
    const list = byUid.get(ev.data.uid) ?? [];
    list.push(ev);
    byUid.set(ev.data.uid, list);
  }
  return [...byUid].map(([uid, events]) => ({
    uid,
    events,
    text: buildICalendar(
      events.map((e) => ({ data: e.data, original: e.component })),
      { timezones: parsed.timezones, calendarProperties: parsed.calendarProperties },
    ),
  }));
}

/** The highest SEQUENCE in a stored resource (0 when it has none or is not stored yet). */
export function sequenceOf(ical: string | null): number {
  let max = 0;
  for (const m of (ical ?? '').matchAll(/(?:^|\n)SEQUENCE[^:\r\n]*:(\d+)/g)) max = Math.max(max, Number(m[1]));
  return max;
}

/** The resource text with SEQUENCE set on every VEVENT of this UID (an organiser's significant change, RFC 5546 2.1.4). */
export function withSequence(ical: string, uid: string, sequence: number): string {
  return ical.replace(/BEGIN:VEVENT\r?\n[\s\S]*?END:VEVENT/g, (block) => {
    const unfolded = block.replace(/\r?\n[ \t]/g, '');
    const blockUid = /(?:^|\n)UID[^:\r\n]*:([^\r\n]*)/.exec(unfolded)?.[1]?.trim();
    if (blockUid !== uid) return block;
    const eol = block.includes('\r\n') ? '\r\n' : '\n';
    if (/(?:^|\n)SEQUENCE[;:]/.test(block)) return block.replace(/((?:^|\n)SEQUENCE)[^:\r\n]*:\d*/, `$1:${sequence}`);
    return block.replace(/^BEGIN:VEVENT\r?\n/, `BEGIN:VEVENT${eol}SEQUENCE:${sequence}${eol}`);
  });
}
