import { useEffect, useMemo, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { CalendarInfo, EventInput } from '../../shared/types';
import { call } from '../lib/client';
import { allZones, naiveMs, shiftLocal, userZone } from './dates';
import {
  buildRule,
  dayName,
  monthlyLabels,
  parseRule,
  weekdayOf,
  WEEKDAYS,
  type Freq,
  type RecurrenceModel,
} from './recurrence';

type Attendee = NonNullable<EventInput['attendees']>[number];

export interface EditorValues {
  calendarId: string;
  event: EventInput;
  sendInvitations: boolean;
}

export interface EditorInitial {
  calendarId: string;
  summary?: string;
  description?: string;
  location?: string;
  /** Wall clock ("YYYY-MM-DDTHH:mm[:ss]") or date when all-day. */
  start: string;
  end: string;
  allDay: boolean;
  timeZone?: string;
  rrule?: string | null;
  showAs?: EventInput['showAs'];
  reminderMinutes?: number | null;
  categories?: string[];
  attendees?: Attendee[];
}

const REMINDERS: [string, number | null][] = [
  ['None', null],
  ['At start', 0],
  ['5 minutes before', 5],
  ['10 minutes before', 10],
  ['15 minutes before', 15],
  ['30 minutes before', 30],
  ['1 hour before', 60],
  ['1 day before', 1440],
];

export function EventEditor(props: {
  title: string;
  calendars: CalendarInfo[];
  initial: EditorInitial;
  /** Editing one slot of a series: the recurrence belongs to the series and is edited from it. */
  occurrenceOfSeries?: boolean;
  onSubmit(values: EditorValues): Promise<void>;
  onCancel(): void;
  onDelete?(): void;
  /** Saves this event (with its series) as an .ics file. */
  onExport?(): void;
}) {
  const { initial } = props;
  const [calendarId, setCalendarId] = useState(initial.calendarId || props.calendars[0]?.id || '');
  const [summary, setSummary] = useState(initial.summary ?? '');
  const [allDay, setAllDay] = useState(initial.allDay);
  const [start, setStart] = useState(
    initial.allDay ? initial.start.slice(0, 10) : initial.start.slice(0, 16),
  );
  const [end, setEnd] = useState(
    initial.allDay ? shiftLocal(initial.end.slice(0, 10), -86_400_000) : initial.end.slice(0, 16),
  );
  const [timeZone, setTimeZone] = useState(
    initial.timeZone && initial.timeZone !== 'floating' ? initial.timeZone : userZone,
  );
  const [location, setLocation] = useState(initial.location ?? '');
  const [description, setDescription] = useState(initial.description ?? '');
  const [showAs, setShowAs] = useState<NonNullable<EventInput['showAs']>>(initial.showAs ?? 'busy');
  const [reminder, setReminder] = useState<number | null>(initial.reminderMinutes ?? null);
  const [categories, setCategories] = useState((initial.categories ?? []).join(', '));
  const [attendees, setAttendees] = useState<Attendee[]>(initial.attendees ?? []);
  const [sendInvitations, setSendInvitations] = useState(true);
  const [rule, setRule] = useState<RecurrenceModel>(() => parseRule(initial.rrule ?? null, initial.start));
  const [busy, setBusy] = useState(false);
  const zones = useMemo(() => allZones(), []);

  const startDate = start.slice(0, 10);
  const monthly = monthlyLabels(startDate);

  const toggleAllDay = (next: boolean) => {
    setAllDay(next);
    if (next) {
      setStart(start.slice(0, 10));
      setEnd(end.slice(0, 10));
    } else {
      setStart(`${start.slice(0, 10)}T09:00`);
      setEnd(`${end.slice(0, 10)}T10:00`);
    }
  };

  /** A new start moves the end with it, and a weekly rule still on the old weekday follows to the new one. */
  const changeStart = (next: string) => {
    if (!next) return setStart(next);
    const delta = naiveMs(next) - naiveMs(start);
    if (!Number.isNaN(delta) && end) setEnd(shiftLocal(end, delta));
    const before = weekdayOf(start);
    const after = weekdayOf(next);
    if (before !== after && rule.byDay.length === 1 && rule.byDay[0] === before)
      setRule({ ...rule, byDay: [after] });
    setStart(next);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      const event: EventInput = {
        summary,
        description,
        location,
        allDay,
        timeZone: allDay ? 'UTC' : timeZone,
        // All-day ends are exclusive in iCalendar: the form shows the last day, the store keeps the day after.
        start: allDay ? start.slice(0, 10) : start,
        end: allDay ? shiftLocal(end.slice(0, 10), 86_400_000) : end,
        showAs,
        reminderMinutes: reminder,
        categories: categories
          .split(',')
          .map((c) => c.trim())
          .filter(Boolean),
        attendees,
        ...(props.occurrenceOfSeries ? {} : { rrule: buildRule(rule, startDate, allDay, timeZone) }),
      };
      await props.onSubmit({ calendarId, event, sendInvitations: sendInvitations && attendees.length > 0 });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="cal-dialog-backdrop" role="presentation">
      <form
        className="card form cal-editor"
        role="dialog"
        aria-modal="true"
        aria-label={props.title}
        onSubmit={(e) => void submit(e)}
      >
        <h2>{props.title}</h2>
        <label>
          Title
          <input name="summary" value={summary} onChange={(e) => setSummary(e.target.value)} autoFocus />
        </label>
        <div className="row">
          <label className="inline">
            <input
              type="checkbox"
              name="allDay"
              checked={allDay}
              onChange={(e) => toggleAllDay(e.target.checked)}
            />{' '}
            All day
          </label>
          <label>
            Calendar
            <select name="calendar" value={calendarId} onChange={(e) => setCalendarId(e.target.value)}>
              {props.calendars.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </label>
        </div>
        <div className="row">
          <label>
            Starts
            <input
              name="start"
              type={allDay ? 'date' : 'datetime-local'}
              value={start}
              onChange={(e) => changeStart(e.target.value)}
              required
            />
          </label>
          <label>
            Ends
            <input
              name="end"
              type={allDay ? 'date' : 'datetime-local'}
              value={end}
              onChange={(e) => setEnd(e.target.value)}
              required
            />
          </label>
        </div>
        {!allDay && (
          <label>
            Time zone
            <input
              name="timeZone"
              list="cal-zones"
              value={timeZone}
              onChange={(e) => setTimeZone(e.target.value)}
            />
            <datalist id="cal-zones">
              {zones.map((z) => (
                <option key={z} value={z} />
              ))}
            </datalist>
          </label>
        )}
        {!props.occurrenceOfSeries && (
          <fieldset className="recurrence">
            <legend>Repeat</legend>
            <div className="row">
              <select
                name="freq"
                aria-label="Repeat"
                value={rule.freq}
                onChange={(e) => setRule({ ...rule, freq: e.target.value as Freq })}
              >
                <option value="none">Does not repeat</option>
                <option value="DAILY">Daily</option>
                <option value="WEEKLY">Weekly</option>
                <option value="MONTHLY">Monthly</option>
                <option value="YEARLY">Yearly</option>
              </select>
              {rule.freq !== 'none' && (
                <label className="inline">
                  every
                  <input
                    name="interval"
                    type="number"
                    min={1}
                    max={999}
                    value={rule.interval}
                    onChange={(e) => setRule({ ...rule, interval: Math.max(1, Number(e.target.value) || 1) })}
                  />
                  {rule.freq === 'DAILY'
                    ? 'days'
                    : rule.freq === 'WEEKLY'
                      ? 'weeks'
                      : rule.freq === 'MONTHLY'
                        ? 'months'
                        : 'years'}
                </label>
              )}
            </div>
            {rule.freq === 'WEEKLY' && (
              <div className="row weekdays" role="group" aria-label="On days">
                {WEEKDAYS.map((d) => (
                  <label key={d} className="inline">
                    <input
                      type="checkbox"
                      name={`day-${d}`}
                      checked={rule.byDay.includes(d)}
                      onChange={(e) =>
                        setRule({
                          ...rule,
                          byDay: e.target.checked ? [...rule.byDay, d] : rule.byDay.filter((x) => x !== d),
                        })
                      }
                    />
                    {dayName(d).slice(0, 3)}
                  </label>
                ))}
              </div>
            )}
            {rule.freq === 'MONTHLY' && (
              <select
                name="monthlyBy"
                aria-label="Monthly on"
                value={rule.monthlyBy}
                onChange={(e) =>
                  setRule({ ...rule, monthlyBy: e.target.value as RecurrenceModel['monthlyBy'] })
                }
              >
                <option value="monthday">{monthly.monthday}</option>
                <option value="weekday">{monthly.weekday}</option>
              </select>
            )}
            {rule.freq !== 'none' && (
              <div className="row">
                <select
                  name="ends"
                  aria-label="Ends"
                  value={rule.end}
                  onChange={(e) => setRule({ ...rule, end: e.target.value as RecurrenceModel['end'] })}
                >
                  <option value="never">Never ends</option>
                  <option value="count">Ends after</option>
                  <option value="until">Ends on</option>
                </select>
                {rule.end === 'count' && (
                  <label className="inline">
                    <input
                      name="count"
                      type="number"
                      min={1}
                      max={9999}
                      value={rule.count}
                      onChange={(e) => setRule({ ...rule, count: Math.max(1, Number(e.target.value) || 1) })}
                    />{' '}
                    times
                  </label>
                )}
                {rule.end === 'until' && (
                  <input
                    name="until"
                    type="date"
                    aria-label="Until"
                    value={rule.until}
                    onChange={(e) => setRule({ ...rule, until: e.target.value })}
                  />
                )}
              </div>
            )}
          </fieldset>
        )}
        <label>
          Location
          <input name="location" value={location} onChange={(e) => setLocation(e.target.value)} />
        </label>
        <AttendeePicker attendees={attendees} onChange={setAttendees} />
        {attendees.length > 0 && (
          <label className="inline">
            <input
              type="checkbox"
              name="sendInvitations"
              checked={sendInvitations}
              onChange={(e) => setSendInvitations(e.target.checked)}
            />{' '}
            Send invitations to attendees
          </label>
        )}
        <div className="row">
          <label>
            Reminder
            <select
              name="reminder"
              value={reminder === null ? '' : String(reminder)}
              onChange={(e) => setReminder(e.target.value === '' ? null : Number(e.target.value))}
            >
              {REMINDERS.map(([label, v]) => (
                <option key={label} value={v === null ? '' : String(v)}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Show as
            <select
              name="showAs"
              value={showAs}
              onChange={(e) => setShowAs(e.target.value as NonNullable<EventInput['showAs']>)}
            >
              <option value="busy">Busy</option>
              <option value="tentative">Tentative</option>
              <option value="free">Free</option>
              <option value="oof">Out of office</option>
            </select>
          </label>
        </div>
        <label>
          Categories
          <input
            name="categories"
            value={categories}
            placeholder="Comma separated"
            onChange={(e) => setCategories(e.target.value)}
          />
        </label>
        <label>
          Description
          <textarea
            name="description"
            rows={4}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
        </label>
        <div className="actions">
          {props.onExport && (
            <button type="button" onClick={props.onExport}>
              Export .ics
            </button>
          )}
          {props.onDelete && (
            <button type="button" className="danger" onClick={props.onDelete}>
              Delete
            </button>
          )}
          <span className="spacer" />
          <button type="button" onClick={props.onCancel}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            Save event
          </button>
        </div>
      </form>
    </div>
  );
}

/** Attendees typed as addresses or picked from the contacts as you type. */
function AttendeePicker({
  attendees,
  onChange,
}: {
  attendees: Attendee[];
  onChange(next: Attendee[]): void;
}) {
  const [text, setText] = useState('');
  const [suggestions, setSuggestions] = useState<{ name: string; address: string }[]>([]);

  useEffect(() => {
    const q = text.trim();
    if (q.length < 1) {
      setSuggestions([]);
      return;
    }
    let live = true;
    void call('contacts.list', { query: q, limit: 8 })
      .then((cs) => {
        if (live)
          setSuggestions(
            cs.flatMap((c) => c.emails.map((e) => ({ name: c.displayName, address: e.address }))).slice(0, 8),
          );
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [text]);

  const add = (a: { name: string; address: string }) => {
    if (
      !a.address.includes('@') ||
      attendees.some((x) => x.address.toLowerCase() === a.address.toLowerCase())
    )
      return;
    onChange([...attendees, { name: a.name, address: a.address, role: 'required', status: 'needs-action' }]);
    setText('');
    setSuggestions([]);
  };

  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter' || e.key === ',') {
      if (!text.trim()) return;
      e.preventDefault();
      const first = suggestions[0];
      add(first && !text.includes('@') ? first : { name: '', address: text.trim() });
    }
  };

  return (
    <div className="attendees">
      <label>
        Attendees
        <input
          name="attendee"
          value={text}
          placeholder="Name or address"
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKey}
          autoComplete="off"
        />
      </label>
      {suggestions.length > 0 && (
        <ul className="suggestions" role="listbox" aria-label="Contacts">
          {suggestions.map((s) => (
            <li
              key={s.address}
              role="option"
              aria-selected={false}
              onMouseDown={(e) => (e.preventDefault(), add(s))}
            >
              {s.name} <span className="muted">{s.address}</span>
            </li>
          ))}
        </ul>
      )}
      <ul className="chips" aria-label="Invited">
        {attendees.map((a) => (
          <li key={a.address}>
            {a.name || a.address} <span className="muted">{a.status}</span>
            <button
              type="button"
              aria-label={`Remove ${a.address}`}
              onClick={() => onChange(attendees.filter((x) => x !== a))}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
