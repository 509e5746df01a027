import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { CalendarInfo, Occurrence } from '../../shared/types';
import { call, onEvent } from '../lib/client';
import { useApp } from '../app/store';

const DAY = 86_400_000;

function startOfWeek(d: Date): Date {
  const s = new Date(d.getFullYear(), d.getMonth(), d.getDate());
  s.setDate(s.getDate() - ((s.getDay() + 6) % 7));
  return s;
}

function localInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

const userZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

export function CalendarView() {
  const [calendars, setCalendars] = useState<CalendarInfo[]>([]);
  const [weekStart, setWeekStart] = useState(() => startOfWeek(new Date()));
  const [occurrences, setOccurrences] = useState<Occurrence[]>([]);
  const [creating, setCreating] = useState(false);
  const reportError = useApp((s) => s.reportError);

  const load = useCallback(async () => {
    try {
      const cals = await call('calendars.list', {});
      setCalendars(cals);
      setOccurrences(await call('events.range', { fromUtc: weekStart.getTime(), toUtc: weekStart.getTime() + 7 * DAY }));
    } catch (err) {
      reportError(err);
    }
  }, [weekStart, reportError]);

  useEffect(() => {
    void load();
    return onEvent('store.changed', (p) => {
      if (p.entities.includes('events')) void load();
    });
  }, [load]);

  const days = Array.from({ length: 7 }, (_, i) => new Date(weekStart.getTime() + i * DAY));
  const colorOf = (calendarId: string) => calendars.find((c) => c.id === calendarId)?.color ?? '#3b82f6';

  return (
    <div className="calendar-view">
      <div className="toolbar">
        <button type="button" onClick={() => setWeekStart(new Date(weekStart.getTime() - 7 * DAY))} aria-label="Previous week">
          ‹
        </button>
        <button type="button" onClick={() => setWeekStart(startOfWeek(new Date()))}>
          Today
        </button>
        <button type="button" onClick={() => setWeekStart(new Date(weekStart.getTime() + 7 * DAY))} aria-label="Next week">
          ›
        </button>
        <h2>{weekStart.toLocaleDateString([], { month: 'long', year: 'numeric' })}</h2>
        <span className="spacer" />
        <button type="button" className="primary" onClick={() => setCreating(true)}>
          New event
        </button>
      </div>
      {creating && calendars.length > 0 && (
        <EventForm
          calendars={calendars.filter((c) => !c.readOnly)}
          onDone={() => {
            setCreating(false);
            void load();
          }}
        />
      )}
      <div className="week-grid" role="grid" aria-label="Week">
        {days.map((day) => {
          const dayEnd = day.getTime() + DAY;
          const todays = occurrences.filter((o) => o.startUtc < dayEnd && o.endUtc > day.getTime());
          return (
            <div key={day.toISOString()} className={`day${day.toDateString() === new Date().toDateString() ? ' today' : ''}`} role="gridcell">
              <h3>{day.toLocaleDateString([], { weekday: 'short', day: 'numeric' })}</h3>
              <ul aria-label={`Events on ${day.toDateString()}`}>
                {todays.map((o) => (
                  <li key={`${o.eventId}-${o.startUtc}`} className="event-chip" style={{ borderColor: colorOf(o.calendarId) }} data-event-id={o.eventId}>
                    <span className="time">{o.event.allDay ? 'All day' : new Date(o.startUtc).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}</span>{' '}
                    <span className="title">{o.event.summary || '(no title)'}</span>
                  </li>
                ))}
              </ul>
            </div>
          );
        })}
      </div>
    </div>
  );
}

function EventForm({ calendars, onDone }: { calendars: CalendarInfo[]; onDone: () => void }) {
  // The next full hour, fixed when the form opens.
  const [start] = useState(() => new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000));
  const [summary, setSummary] = useState('');
  const [from, setFrom] = useState(() => localInput(start));
  const [to, setTo] = useState(() => localInput(new Date(start.getTime() + 3_600_000)));
  const [location, setLocation] = useState('');
  const [calendarId, setCalendarId] = useState(calendars[0]?.id ?? '');
  const reportError = useApp((s) => s.reportError);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await call('events.create', { calendarId, event: { summary, start: from, end: to, location, timeZone: userZone } });
      onDone();
    } catch (err) {
      reportError(err);
    }
  };

  return (
    <form className="card form" onSubmit={(e) => void submit(e)} aria-label="New event">
      <label>
        Title
        <input name="summary" value={summary} onChange={(e) => setSummary(e.target.value)} required autoFocus />
      </label>
      <label>
        Starts
        <input name="start" type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} required />
      </label>
      <label>
        Ends
        <input name="end" type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} required />
      </label>
      <label>
        Location
        <input name="location" value={location} onChange={(e) => setLocation(e.target.value)} />
      </label>
      <label>
        Calendar
        <select name="calendar" value={calendarId} onChange={(e) => setCalendarId(e.target.value)}>
          {calendars.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
      </label>
      <div className="actions">
        <button type="button" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="primary">
          Save event
        </button>
      </div>
    </form>
  );
}
