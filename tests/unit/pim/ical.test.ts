import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import {
  buildICalendar,
  type EventData,
  expandOccurrences,
  parseICalendar,
  type ParsedCalendar,
} from '../../../src/main/core/pim';
import { event, fixture, logicalLines } from './helpers';

const cal = (body: string[]): string =>
  ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//x//EN', ...body, 'END:VCALENDAR', ''].join('\r\n');

const FIXTURES = ['google.ics', 'apple-icloud.ics', 'outlook-exchange.ics', 'thunderbird.ics'] as const;

function rebuild(parsed: ParsedCalendar, edit: (d: EventData) => EventData = (d) => d): string {
  return buildICalendar(
    parsed.events.map((e) => ({ data: edit(e.data), original: e.component })),
    {
      method: (parsed.method as 'PUBLISH' | 'REQUEST' | null) ?? undefined,
      timezones: parsed.timezones,
      calendarProperties: parsed.calendarProperties,
      otherComponents: parsed.otherComponents,
    },
  );
}

/** Logical lines of each VEVENT, in order. */
function veventLines(text: string): string[][] {
  const out: string[][] = [];
  let cur: string[] | null = null;
  for (const l of logicalLines(text)) {
    if (l === 'BEGIN:VEVENT') cur = [];
    else if (l === 'END:VEVENT' && cur) {
      out.push(cur);
      cur = null;
    } else if (cur) cur.push(l);
  }
  return out;
}

const shiftLocal = (v: string, days: number): string => {
  const d = new Date(v.length === 10 ? `${v}T00:00:00Z` : `${v}Z`);
  d.setUTCDate(d.getUTCDate() + days);
  const iso = d.toISOString();
  return v.length === 10 ? iso.slice(0, 10) : iso.slice(0, 19);
};

describe.each(FIXTURES)('round trip of %s', (name) => {
  const text = fixture(`ics/${name}`);
  const parsed = parseICalendar(text);

  it('parses without dropping anything', () => {
    expect(parsed.events.length).toBeGreaterThan(0);
    expect(parsed.issues.filter((i) => i.dropped)).toEqual([]);
  });

  it('rebuilds unchanged to the same lines (every line, same order inside each component)', () => {
    const out = rebuild(parsed);
    const original = logicalLines(text);
    const rebuilt = logicalLines(out);
    expect([...rebuilt].sort()).toEqual([...original].sort());
    expect(veventLines(out)).toEqual(veventLines(text));
    // Raw folding is kept byte for byte, too.
    for (const ev of parsed.events) expect(out).toContain(ev.component);
  });

  it('keeps every unmodelled line when summary and start are edited', () => {
    const out = rebuild(parsed, (d) => ({
      ...d,
      summary: `${d.summary} [edited]`,
      start: shiftLocal(d.start, 1),
      end: shiftLocal(d.end, 1),
    }));
    const before = veventLines(text);
    const after = veventLines(out);
    expect(after).toHaveLength(before.length);
    const edited = /^(SUMMARY|DTSTART|DTEND)[;:]/;
    before.forEach((lines, i) => {
      const kept = lines.filter((l) => !edited.test(l));
      expect(after[i]?.filter((l) => !edited.test(l))).toEqual(kept);
    });
    // Outside the events nothing changes at all (VTIMEZONEs reused, calendar properties kept).
    const outside = (t: string): string[] => {
      const lines = logicalLines(t);
      const res: string[] = [];
      let depth = 0;
      for (const l of lines) {
        if (l === 'BEGIN:VEVENT') depth++;
        if (depth === 0) res.push(l);
        if (l === 'END:VEVENT') depth--;
      }
      return res.sort();
    };
    expect(outside(out)).toEqual(outside(text));
    const reparsed = parseICalendar(out);
    reparsed.events.forEach((e, i) => {
      const orig = parsed.events[i]!.data;
      expect(e.data).toEqual({
        ...orig,
        summary: `${orig.summary} [edited]`,
        start: shiftLocal(orig.start, 1),
        end: shiftLocal(orig.end, 1),
      });
    });
  });

  it('is readable by an independent parser (ical.js) after editing', () => {
    const out = rebuild(parsed, (d) => ({ ...d, summary: 'Ümlaut, comma; semicolon\nnewline' }));
    const comp = new ICAL.Component(ICAL.parse(out));
    for (const v of comp.getAllSubcomponents('vevent')) {
      expect(v.getFirstPropertyValue('summary')).toBe('Ümlaut, comma; semicolon\nnewline');
    }
  });
});

describe('parsed fixture contents', () => {
  it('Google: recurrence, overrides, cancelled instance, attendees, alarms', () => {
    const p = parseICalendar(fixture('ics/google.ics'));
    expect(p.method).toBe('PUBLISH');
    expect(p.defaultTimeZone).toBe('America/Los_Angeles');
    const [master, moved, cancelled, offsite] = p.events.map((e) => e.data);
    expect(master).toMatchObject({
      uid: '5k2r8c9u1l0m3n4o5p6q7r8s9t@google.com',
      summary: 'Platform stand-up',
      location: 'Conference Room 4B (Bldg 2), Mountain View',
      start: '2026-03-02T10:00:00',
      end: '2026-03-02T10:30:00',
      timeZone: 'America/Los_Angeles',
      rrule: 'FREQ=WEEKLY;WKST=SU;BYDAY=MO,WE,FR',
      exdates: ['2026-03-09T10:00:00', '2026-03-11T10:00:00'],
      reminderMinutes: 10,
      sequence: 2,
      created: '2026-02-15T09:30:12Z',
      organizer: { name: 'Priya Raman', address: 'priya.raman@example.com' },
    });
    expect(master?.description).toContain('Join with Google Meet: https://meet.google.com/abc-defg-hij\n');
    expect(master?.attendees).toEqual([
      {
        name: 'Priya Raman',
        address: 'priya.raman@example.com',
        role: 'required',
        status: 'accepted',
        rsvp: false,
      },
      {
        name: 'platform-dev@example.com',
        address: 'platform-dev@example.com',
        role: 'required',
        status: 'needs-action',
        rsvp: true,
      },
      {
        name: 'Marco Bellini',
        address: 'marco.bellini@example.org',
        role: 'optional',
        status: 'tentative',
        rsvp: false,
      },
    ]);
    expect(moved).toMatchObject({ recurrenceId: '2026-03-13T10:00:00', start: '2026-03-13T14:00:00' });
    expect(cancelled).toMatchObject({ recurrenceId: '2026-03-18T10:00:00', status: 'cancelled' });
    expect(offsite).toMatchObject({
      allDay: true,
      start: '2026-04-06',
      end: '2026-04-08',
      showAs: 'free',
      timeZone: 'floating',
    });

    const occ = expandOccurrences(
      p.events.map((e) => e.data),
      '2026-03-08T00:00:00Z',
      '2026-03-21T00:00:00Z',
      { floatingTimeZone: 'America/Los_Angeles' },
    );
    expect(occ.map((o) => `${o.startLocal}${o.isException ? ' *' : ''}`)).toEqual([
      '2026-03-13T14:00:00 *',
      '2026-03-16T10:00:00',
      '2026-03-20T10:00:00',
    ]);
    // 10:00 PDT (after 8 March) is 17:00Z.
    expect(occ[1]?.start).toBe('2026-03-16T17:00:00Z');
  });

  it('Apple: structured location, CHAIR/room attendees via EMAIL param, DISPLAY alarm after an AUDIO one', () => {
    const p = parseICalendar(fixture('ics/apple-icloud.ics'));
    const [review, birthday] = p.events.map((e) => e.data);
    expect(review).toMatchObject({
      timeZone: 'Europe/Berlin',
      location: 'Alexanderplatz 1\n10178 Berlin\nGermany',
      url: 'https://wiki.example.de/reviews/42',
      reminderMinutes: 15,
    });
    expect(review?.attendees.map((a) => [a.address, a.role, a.status])).toEqual([
      ['lena@example.de', 'chair', 'accepted'],
      ['tom@example.de', 'required', 'needs-action'],
      ['room314@example.de', 'non-participant', 'accepted'],
    ]);
    expect(birthday).toMatchObject({
      allDay: true,
      rrule: 'FREQ=YEARLY',
      categories: ['Birthdays', 'Family'],
      reminderMinutes: null,
      showAs: 'free',
    });
  });

  it('Outlook: Windows TZID, busy status, importance, LANGUAGE params', () => {
    const p = parseICalendar(fixture('ics/outlook-exchange.ics'));
    expect(p.method).toBe('REQUEST');
    const [planning, oneOnOne, ooo] = p.events.map((e) => e.data);
    expect(planning).toMatchObject({
      summary: 'Q2 planning',
      timeZone: 'America/New_York',
      start: '2026-04-08T13:00:00',
      location: 'Microsoft Teams Meeting; Room 12.01',
      showAs: 'tentative',
      importance: 'normal',
      reminderMinutes: 15,
      organizer: { name: 'Doe, Jane', address: 'jane.doe@contoso.com' },
    });
    expect(oneOnOne).toMatchObject({
      importance: 'high',
      rrule: 'FREQ=WEEKLY;UNTIL=20260630T130000Z;INTERVAL=1;BYDAY=TU;WKST=SU',
    });
    expect(ooo).toMatchObject({ allDay: true, showAs: 'oof' });
    const occ = expandOccurrences([oneOnOne!], '2026-04-01T00:00:00Z', '2026-07-31T00:00:00Z');
    expect(occ).toHaveLength(12); // 13 Tuesdays 7 Apr–30 Jun, minus the EXDATE of 21 Apr
    expect(occ.at(-1)?.startLocal).toBe('2026-06-30T09:00:00');
  });

  it('Thunderbird: floating event, override, VTODO passed through', () => {
    const p = parseICalendar(fixture('ics/thunderbird.ics'));
    expect(p.otherComponents).toHaveLength(1);
    expect(p.otherComponents[0]).toContain('BEGIN:VTODO');
    const run = p.events.find((e) => e.data.summary === 'Morning run')!.data;
    expect(run).toMatchObject({ timeZone: 'floating', start: '2026-03-05T07:00:00' });
    const club = p.events
      .filter((e) => e.data.uid === 'a3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d')
      .map((e) => e.data);
    const occ = expandOccurrences(club, '2026-02-01T00:00:00Z', '2026-07-01T00:00:00Z');
    expect(occ.map((o) => o.startLocal)).toEqual([
      '2026-02-26T19:00:00',
      '2026-03-26T19:30:00',
      '2026-04-30T19:00:00',
      '2026-06-25T19:00:00',
    ]);
    // 26 Feb is GMT, 30 April is BST.
    expect(occ[0]?.start).toBe('2026-02-26T19:00:00Z');
    expect(occ[2]?.start).toBe('2026-04-30T18:00:00Z');
  });
});

describe('buildICalendar', () => {
  const base = event({
    uid: 'new-1@pimlico',
    summary: 'Lunch, with "friends"; maybe',
    description: 'Line 1\nLine 2',
    location: 'Café Zürich',
    start: '2026-05-04T12:30:00',
    end: '2026-05-04T13:30:00',
    timeZone: 'Europe/Zurich',
    rrule: 'FREQ=WEEKLY;COUNT=4',
    exdates: ['2026-05-11T12:30:00'],
    status: 'tentative',
    showAs: 'oof',
    importance: 'high',
    reminderMinutes: 30,
    organizer: { name: 'Me', address: 'me@example.com' },
    attendees: [
      { name: 'You', address: 'you@example.com', role: 'optional', status: 'needs-action', rsvp: true },
    ],
    categories: ['Food', 'A,B'],
    url: 'https://example.com/lunch',
    sequence: 3,
    created: '2026-05-01T08:00:00Z',
    lastModified: '2026-05-02T08:00:00Z',
  });

  it('creates a complete VEVENT that parses back to the same data', () => {
    const out = buildICalendar([{ data: base }], { method: 'REQUEST', prodId: '-//Pimlico//Test//EN' });
    expect(out).toMatch(/^BEGIN:VCALENDAR\r\nVERSION:2\.0\r\nPRODID:-\/\/Pimlico\/\/Test\/\/EN\r\n/);
    expect(out).toContain('METHOD:REQUEST');
    expect(out).toContain('DTSTART;TZID=Europe/Zurich:20260504T123000');
    expect(out).toContain('X-MICROSOFT-CDO-BUSYSTATUS:OOF');
    expect(out).toContain('PRIORITY:1');
    expect(out).toContain('TRIGGER:-PT30M');
    expect(out).toContain('DTSTAMP:');
    expect(out.split('\r\n').every((l) => Buffer.byteLength(l) <= 75)).toBe(true);
    const back = parseICalendar(out);
    expect(back.events[0]?.data).toEqual(base);
    expect(back.timezones[0]).toContain('TZID:Europe/Zurich');
  });

  it('writes UTC and floating times, and all-day dates', () => {
    const utc = buildICalendar([{ data: { ...base, timeZone: 'UTC', exdates: [] } }]);
    expect(utc).toContain('DTSTART:20260504T123000Z');
    expect(utc).not.toContain('BEGIN:VTIMEZONE');
    const allDay = buildICalendar([
      {
        data: {
          ...base,
          allDay: true,
          timeZone: 'floating',
          start: '2026-05-04',
          end: '2026-05-05',
          exdates: ['2026-05-11'],
        },
      },
    ]);
    expect(allDay).toContain('DTSTART;VALUE=DATE:20260504');
    expect(allDay).toContain('EXDATE;VALUE=DATE:20260511');
    expect(parseICalendar(allDay).events[0]?.data.exdates).toEqual(['2026-05-11']);
  });

  it('patches attendees in place, keeping their other parameters', () => {
    const p = parseICalendar(fixture('ics/google.ics'));
    const master = p.events[0]!;
    const data = {
      ...master.data,
      attendees: [
        { ...master.data.attendees[0]!, status: 'declined' as const },
        master.data.attendees[1]!,
        {
          name: 'New Person',
          address: 'new@example.com',
          role: 'required' as const,
          status: 'needs-action' as const,
          rsvp: true,
        },
      ],
    };
    const out = buildICalendar([{ data, original: master.component }]);
    const lines = logicalLines(out);
    expect(lines).toContain(
      'ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=DECLINED;CN=Priya Raman;X-NUM-GUESTS=0:mailto:priya.raman@example.com',
    );
    expect(lines).toContain(
      'ATTENDEE;CUTYPE=GROUP;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN=platform-dev@example.com;X-NUM-GUESTS=0:mailto:platform-dev@example.com',
    );
    expect(lines).toContain(
      'ATTENDEE;CN=New Person;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:new@example.com',
    );
    expect(out).not.toContain('marco.bellini');
    expect(parseICalendar(out).events[0]?.data.attendees).toEqual(data.attendees);
  });

  it('drops the stale HTML twin when the description changes, and edits the first DISPLAY alarm only', () => {
    const p = parseICalendar(fixture('ics/outlook-exchange.ics'));
    const ev = p.events[0]!;
    const out = buildICalendar(
      [{ data: { ...ev.data, description: 'New agenda', reminderMinutes: 60 }, original: ev.component }],
      {
        timezones: p.timezones,
      },
    );
    expect(out).not.toContain('X-ALT-DESC');
    expect(out).toContain('DESCRIPTION;LANGUAGE=en-US:New agenda');
    expect(out).toContain('TRIGGER:-PT1H');
    expect(out).toContain('ATTACH;ENCODING=BASE64;VALUE=BINARY;X-FILENAME=agenda.txt');
    // Unchanged start keeps Outlook's own TZID and VTIMEZONE.
    expect(out).toContain('DTSTART;TZID=Eastern Standard Time:20260408T130000');
    expect(out).toContain('TZID:Eastern Standard Time');

    const apple = parseICalendar(fixture('ics/apple-icloud.ics'));
    const review = apple.events[0]!;
    const noReminder = buildICalendar([
      { data: { ...review.data, reminderMinutes: null }, original: review.component },
    ]);
    expect(noReminder).toContain('ACTION:AUDIO'); // Apple's default sound alarm is not a DISPLAY reminder
    expect(noReminder).not.toContain('ACTION:DISPLAY');
    expect(parseICalendar(noReminder).events[0]?.data.reminderMinutes).toBeNull();
  });

  it('moves an Outlook event to another zone: new TZID and a generated VTIMEZONE', () => {
    const p = parseICalendar(fixture('ics/outlook-exchange.ics'));
    const ev = p.events[0]!;
    const out = buildICalendar(
      [{ data: { ...ev.data, timeZone: 'Europe/Lisbon' }, original: ev.component }],
      { timezones: p.timezones },
    );
    expect(out).toContain('DTSTART;TZID=Europe/Lisbon:20260408T130000');
    expect(out).toContain('TZID:Europe/Lisbon');
    expect(out).not.toContain('TZID:Eastern Standard Time');
  });

  it('keeps DURATION-based events in DURATION form', () => {
    const ics = cal([
      'BEGIN:VEVENT',
      'UID:d1',
      'DTSTAMP:20260101T000000Z',
      'DTSTART:20260110T100000Z',
      'DURATION:PT45M',
      'END:VEVENT',
    ]);
    const p = parseICalendar(ics);
    expect(p.events[0]?.data.end).toBe('2026-01-10T10:45:00');
    const out = buildICalendar([
      { data: { ...p.events[0]!.data, end: '2026-01-10T11:30:00' }, original: p.events[0]!.component },
    ]);
    expect(out).toContain('DURATION:PT1H30M');
    expect(out).not.toContain('DTEND');
  });

  it('accepts a whole CalDAV resource as original and patches the matching VEVENT', () => {
    const resource = fixture('ics/google.ics');
    const p = parseICalendar(resource);
    const moved = p.events[1]!.data;
    const out = buildICalendar(
      p.events.map((e) => ({
        data: e === p.events[1] ? { ...moved, summary: 'Moved again' } : e.data,
        original: resource,
      })),
    );
    const back = parseICalendar(out);
    expect(back.events.map((e) => e.data.summary)).toEqual([
      'Platform stand-up',
      'Moved again',
      'Platform stand-up',
      'Team offsite',
    ]);
    expect(back.events[0]?.component).toBe(p.events[0]?.component);
    // The resource's own VTIMEZONE is reused verbatim.
    expect(out).toContain(p.timezones[0]);
  });

  it('rewrites an absolute DISPLAY alarm when the start moves', () => {
    const ics = cal([
      'BEGIN:VEVENT',
      'UID:abs',
      'DTSTAMP:20260101T000000Z',
      'DTSTART:20260110T100000Z',
      'DTEND:20260110T110000Z',
      'BEGIN:VALARM',
      'ACTION:DISPLAY',
      'DESCRIPTION:x',
      'TRIGGER;VALUE=DATE-TIME:20260110T094000Z',
      'END:VALARM',
      'END:VEVENT',
    ]);
    const p = parseICalendar(ics);
    expect(p.events[0]?.data.reminderMinutes).toBe(20);
    const out = buildICalendar([
      {
        data: { ...p.events[0]!.data, start: '2026-01-11T10:00:00', end: '2026-01-11T11:00:00' },
        original: p.events[0]!.component,
      },
    ]);
    expect(out).toContain('TRIGGER:-PT20M');
    expect(parseICalendar(out).events[0]?.data.reminderMinutes).toBe(20);
  });

  it('never copies METHOD into a stored resource unless asked', () => {
    const p = parseICalendar(fixture('ics/outlook-exchange.ics'));
    const out = buildICalendar(
      p.events.map((e) => ({ data: e.data, original: e.component })),
      { calendarProperties: p.calendarProperties, timezones: p.timezones },
    );
    expect(out).not.toContain('METHOD:');
    expect(out).toContain('PRODID:Microsoft Exchange Server 2010');
  });

  it('rejects invalid event data with a clear error', () => {
    expect(() => buildICalendar([{ data: { ...base, start: '2026-05-04' } }])).toThrow(
      /timed events need date-time/,
    );
    expect(() => buildICalendar([{ data: { ...base, timeZone: 'Mars/Base' } }])).toThrow(/unknown time zone/);
    expect(() => buildICalendar([{ data: { ...base, rrule: 'FREQ=NEVER' } }])).toThrow(/FREQ/);
    expect(() => buildICalendar([{ data: { ...base, end: '2026-05-04T10:00:00' } }])).toThrow(
      /end is before start/,
    );
    expect(() => buildICalendar([{ data: base, original: 'BEGIN:VCARD\r\nEND:VCARD\r\n' }])).toThrow(
      /no VEVENT/,
    );
  });
});
