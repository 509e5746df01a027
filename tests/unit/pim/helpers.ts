import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type EventData } from '../../../src/main/core/pim';

export function fixture(rel: string): string {
  return readFileSync(fileURLToPath(new URL(`../../fixtures/${rel}`, import.meta.url)), 'utf8');
}

export function event(over: Partial<EventData> & Pick<EventData, 'start' | 'end'>): EventData {
  return {
    uid: 'test-uid',
    summary: 'Test',
    description: '',
    location: '',
    timeZone: 'America/New_York',
    allDay: false,
    rrule: null,
    rdates: [],
    exdates: [],
    recurrenceId: null,
    status: 'confirmed',
    showAs: 'busy',
    importance: 'normal',
    reminderMinutes: null,
    organizer: null,
    attendees: [],
    categories: [],
    url: null,
    sequence: 0,
    created: null,
    lastModified: null,
    ...over,
  };
}

/** Unfolded logical lines of an iCalendar/vCard text. */
export function logicalLines(text: string): string[] {
  return text
    .replace(/\r\n|\r/g, '\n')
    .replace(/\n[ \t]/g, '')
    .split('\n')
    .filter((l) => l.trim() !== '');
}
