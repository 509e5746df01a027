import { describe, expect, it } from 'vitest';
import {
  buildICalendar,
  buildVCard,
  expandOccurrences,
  parseICalendar,
  parseVCards,
  PimParseError,
} from '../../../src/main/core/pim';
import { fixture } from './helpers';

function codeOf(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (e) {
    expect(e).toBeInstanceOf(PimParseError);
    return (e as PimParseError).code;
  }
}

const cal = (...body: string[]): string =>
  ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//t//EN', ...body, 'END:VCALENDAR', ''].join('\r\n');

describe('malformed iCalendar', () => {
  it('reports empty and foreign input', () => {
    expect(codeOf(() => parseICalendar(''))).toBe('EMPTY_INPUT');
    expect(codeOf(() => parseICalendar(' \r\n '))).toBe('EMPTY_INPUT');
    expect(codeOf(() => parseICalendar(null as unknown as string))).toBe('EMPTY_INPUT');
    expect(codeOf(() => parseICalendar('<!DOCTYPE html><html><body>Not found</body></html>'))).toBe(
      'NOT_ICALENDAR',
    );
    expect(codeOf(() => parseICalendar(fixture('vcf/nextcloud-v4.vcf')))).toBe('NOT_ICALENDAR');
  });

  it('reports structural errors with the line number', () => {
    const unclosed = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nEND:VCALENDAR\r\n';
    expect(codeOf(() => parseICalendar(unclosed))).toBe('UNBALANCED_COMPONENT');
    try {
      parseICalendar(unclosed);
    } catch (e) {
      expect((e as PimParseError).line).toBe(5);
      expect((e as PimParseError).message).toMatch(/END:VCALENDAR does not close BEGIN:VEVENT from line 3/);
    }
    expect(codeOf(() => parseICalendar('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n'))).toBe('UNBALANCED_COMPONENT');
    expect(codeOf(() => parseICalendar(cal('BEGIN:VEVENT', 'this line has no colon', 'END:VEVENT')))).toBe(
      'INVALID_LINE',
    );
    expect(
      codeOf(() => parseICalendar(cal('BEGIN:VEVENT', 'ATTENDEE;CN="Unterminated:mailto:a@b', 'END:VEVENT'))),
    ).toBe('INVALID_LINE');
  });

  it('drops a broken event but keeps the rest, explaining why', () => {
    const text = cal(
      'BEGIN:VEVENT',
      'UID:no-start',
      'SUMMARY:Where is DTSTART?',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:bad-date',
      'DTSTART:20261345T250000',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:bad-duration',
      'DTSTART:20260101T100000Z',
      'DURATION:one hour',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:good',
      'DTSTART:20260101T100000Z',
      'DTEND:20260101T110000Z',
      'END:VEVENT',
    );
    const p = parseICalendar(text);
    expect(p.events.map((e) => e.data.uid)).toEqual(['good']);
    expect(p.otherComponents).toHaveLength(3); // the unreadable VEVENTs still round-trip verbatim
    expect(p.otherComponents[0]).toContain('SUMMARY:Where is DTSTART?');
    expect(p.issues.map((i) => [i.uid, i.code, i.dropped])).toEqual([
      ['no-start', 'MISSING_PROPERTY', true],
      ['bad-date', 'INVALID_DATE', true],
      ['bad-duration', 'INVALID_DURATION', true],
    ]);
  });

  it('repairs what can be repaired: bad RRULE, end before start, missing UID', () => {
    const p = parseICalendar(
      cal(
        'BEGIN:VEVENT',
        'UID:r',
        'DTSTART:20260101T100000Z',
        'DTEND:20260101T090000Z',
        'RRULE:FREQ=WEEKLY;BYDAY=XX',
        'END:VEVENT',
        'BEGIN:VEVENT',
        'DTSTART;VALUE=DATE:20260101',
        'SUMMARY:No UID',
        'END:VEVENT',
      ),
    );
    const [r, noUid] = p.events.map((e) => e.data);
    expect(r).toMatchObject({ rrule: null, end: '2026-01-01T10:00:00' });
    expect(noUid?.uid).toMatch(/^pimlico-/);
    expect(p.issues.map((i) => i.code).sort()).toEqual(['INVALID_DATE', 'INVALID_RRULE', 'MISSING_PROPERTY']);
    // The generated UID is written down as soon as the event is edited.
    const out = buildICalendar([
      { data: { ...noUid!, summary: 'Now with UID' }, original: p.events[1]!.component },
    ]);
    expect(parseICalendar(out).events[0]?.data.uid).toBe(noUid?.uid);
  });

  it('accepts LF line endings, tab folding, bare VEVENTs and lower-case names', () => {
    const text = 'BEGIN:VEVENT\nuid:lf\ndtstart:20260101T100000Z\nsummary:Long\n\tline\nEND:VEVENT\n';
    const p = parseICalendar(text);
    expect(p.events[0]?.data).toMatchObject({ uid: 'lf', summary: 'Longline', timeZone: 'UTC' });
  });
});

describe('malformed vCard', () => {
  it('reports empty, foreign and unbalanced input', () => {
    expect(codeOf(() => parseVCards(''))).toBe('EMPTY_INPUT');
    expect(codeOf(() => parseVCards(fixture('ics/google.ics')))).toBe('NOT_VCARD');
    expect(codeOf(() => parseVCards('BEGIN:VCARD\r\nVERSION:3.0\r\nFN:x\r\n'))).toBe('UNBALANCED_COMPONENT');
    expect(codeOf(() => parseVCards('BEGIN:VCARD\r\nVERSION:3.0\r\n: no name\r\nEND:VCARD\r\n'))).toBe(
      'INVALID_LINE',
    );
  });

  it('reads junk values leniently instead of failing the card', () => {
    const [c] = parseVCards(
      'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:X\r\nBDAY:sometime in May\r\nREV:yesterday\r\nEND:VCARD\r\n',
    );
    expect(c?.data).toMatchObject({ displayName: 'X', birthday: null, revision: 'yesterday' });
  });
});

/** Tiny deterministic PRNG so failures are reproducible. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('never crashes', () => {
  const inputs = [
    ...['google.ics', 'apple-icloud.ics', 'outlook-exchange.ics', 'thunderbird.ics'].map((f) => ({
      kind: 'ics',
      text: fixture(`ics/${f}`),
    })),
    ...['apple-icloud-v3.vcf', 'google-contacts-v3.vcf', 'outlook-v21.vcf', 'nextcloud-v4.vcf'].map((f) => ({
      kind: 'vcf',
      text: fixture(`vcf/${f}`),
    })),
  ];
  const junk = [
    ':',
    ';',
    '"',
    '\\',
    '\r\n',
    '\n ',
    '=',
    ',',
    'Z',
    '9',
    'T',
    '-',
    'BEGIN:VEVENT\r\n',
    'END:VALARM\r\n',
    '\u0000',
    '€',
  ];

  it('only ever throws PimParseError on truncated or mutated input, and the output stays usable', () => {
    const rand = rng(42);
    let parsed = 0;
    for (const { kind, text } of inputs) {
      for (let n = 0; n < 150; n++) {
        let t = text;
        if (n % 3 === 0) t = t.slice(0, Math.floor(rand() * t.length));
        const edits = 1 + Math.floor(rand() * 4);
        for (let k = 0; k < edits; k++) {
          const at = Math.floor(rand() * t.length);
          const what = junk[Math.floor(rand() * junk.length)] ?? '';
          t =
            rand() < 0.5
              ? t.slice(0, at) + what + t.slice(at)
              : t.slice(0, at) + t.slice(at + 1 + Math.floor(rand() * 5));
        }
        // Parsing may refuse the input (with PimParseError only); whatever it accepts must then expand
        // and rebuild without any error, since it came from our own parser.
        if (kind === 'ics') {
          let p: ReturnType<typeof parseICalendar>;
          try {
            p = parseICalendar(t);
          } catch (e) {
            if (!(e instanceof PimParseError)) throw e;
            continue;
          }
          expandOccurrences(
            p.events.map((e) => e.data),
            '2026-01-01T00:00:00Z',
            '2027-01-01T00:00:00Z',
          );
          for (const e of p.events)
            buildICalendar([{ data: e.data, original: e.component }], { timezones: p.timezones });
        } else {
          let cards: ReturnType<typeof parseVCards>;
          try {
            cards = parseVCards(t);
          } catch (e) {
            if (!(e instanceof PimParseError)) throw e;
            continue;
          }
          for (const c of cards) buildVCard(c.data, { original: c.original });
        }
        parsed++;
      }
    }
    expect(parsed).toBeGreaterThan(100);
  });
});
