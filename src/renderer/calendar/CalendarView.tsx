import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { CalendarInfo, Occurrence } from '../../shared/types';
import { call, onEvent } from '../lib/client';
import { useApp } from '../app/store';
import {
  addDays,
  dateValue,
  daysOf,
  isRecurring,
  localInputValue,
  occurrenceKey,
  occurrenceLocal,
  shiftLocal,
  startOfDay,
  stepAnchor,
  titleOf,
  userZone,
  type CalendarMode,
} from './dates';
import { EventEditor, type EditorInitial, type EditorValues } from './EventEditor';
import { Agenda, MonthGrid, TimeGrid } from './views';
import { downloadText, pickTextFile } from './files';
import { useCalendarOpen } from './open-event';
import './calendar.css';

type Scope = 'one' | 'following' | 'all';

interface EditorState {
  occurrence: Occurrence | null;
  initial: EditorInitial;
}

const MODES: { mode: CalendarMode; label: string; key: string }[] = [
  { mode: 'day', label: 'Day', key: 'd' },
  { mode: 'workweek', label: 'Work week', key: 'x' },
  { mode: 'week', label: 'Week', key: 'w' },
  { mode: 'month', label: 'Month', key: 'm' },
  { mode: 'agenda', label: 'Agenda', key: 'a' },
];

export function CalendarView() {
  const [calendars, setCalendars] = useState<CalendarInfo[]>([]);
  const [mode, setMode] = useState<CalendarMode>('week');
  const [anchor, setAnchor] = useState(() => startOfDay(new Date()));
  const [occurrences, setOccurrences] = useState<Occurrence[]>([]);
  const [loadedKey, setLoadedKey] = useState('');
  const [selectedKey, setSelectedKey] = useState<string | null>(null);
  const [editor, setEditor] = useState<EditorState | null>(null);
  const [scopeAsk, setScopeAsk] = useState<{ title: string; resolve(scope: Scope | null): void } | null>(
    null,
  );
  const { reportError, showToast, accounts } = useApp();

  const days = useMemo(() => daysOf(mode, anchor), [mode, anchor]);
  const from = days[0]!.getTime();
  const to = addDays(days[days.length - 1]!, 1).getTime();
  const rangeKey = `${mode}|${from}|${to}`;

  const loadCalendars = useCallback(async () => setCalendars(await call('calendars.list', {})), []);
  // The periods either side of the one shown are fetched ahead, so n/p and j/k render at once; any change to
  // events clears them.
  const cache = useRef(new Map<string, Occurrence[]>());
  const cacheGeneration = useRef(0);
  const fetchRange = useCallback(async (fromUtc: number, toUtc: number): Promise<Occurrence[]> => {
    const key = `${fromUtc}|${toUtc}`;
    const hit = cache.current.get(key);
    if (hit) return hit;
    const generation = cacheGeneration.current;
    const { events, occurrences: slots } = await call('events.rangeCompact', { fromUtc, toUtc });
    const byId = new Map(events.map((e) => [e.id, e]));
    const list = slots.flatMap((o) => {
      const event = byId.get(o.eventId);
      return event ? [{ ...o, event }] : [];
    });
    if (cache.current.size > 12) cache.current.clear();
    // A change that arrived while this was on its way makes it stale: use it once, do not keep it.
    if (generation === cacheGeneration.current) cache.current.set(key, list);
    return list;
  }, []);
  const loadEvents = useCallback(async () => {
    setOccurrences(await fetchRange(from, to));
    setLoadedKey(rangeKey);
    for (const step of [1, -1]) {
      const near = daysOf(mode, stepAnchor(mode, anchor, step));
      await fetchRange(near[0]!.getTime(), addDays(near[near.length - 1]!, 1).getTime()).catch(
        () => undefined,
      );
    }
  }, [from, to, rangeKey, fetchRange, mode, anchor]);

  useEffect(() => {
    void loadCalendars().catch(reportError);
  }, [loadCalendars, reportError]);
  useEffect(() => {
    void loadEvents().catch(reportError);
    return onEvent('store.changed', (p) => {
      if (p.entities.includes('events')) {
        cache.current.clear();
        cacheGeneration.current++;
        void loadCalendars().catch(() => undefined);
        void loadEvents().catch(() => undefined);
      }
    });
  }, [loadEvents, loadCalendars, reportError]);

  // Performance marks: navigation → the new period's events committed to the DOM (see bench/calendar).
  const navStart = useRef<string | null>(null);
  const navigate = useCallback((next: { mode?: CalendarMode; anchor?: Date }) => {
    performance.mark('calendar:navigate');
    navStart.current = 'pending';
    if (next.mode) setMode(next.mode);
    if (next.anchor) setAnchor(next.anchor);
  }, []);
  useLayoutEffect(() => {
    if (navStart.current && loadedKey === rangeKey) {
      navStart.current = null;
      performance.mark('calendar:rendered');
      performance.measure('calendar:navigation', 'calendar:navigate', 'calendar:rendered');
    }
  }, [loadedKey, rangeKey]);

  const colorOf = useCallback(
    (calendarId: string) => calendars.find((c) => c.id === calendarId)?.color ?? '#3b82f6',
    [calendars],
  );
  const writable = calendars.filter((c) => !c.readOnly);
  const visible = occurrences.filter((o) => calendars.find((c) => c.id === o.calendarId)?.visible !== false);
  const selected = visible.find((o) => occurrenceKey(o) === selectedKey) ?? null;

  /** Calendars of different accounts often share a name ("Calendar"): say whose. */
  const labelOf = (c: CalendarInfo) => {
    const account = accounts.find((a) => a.id === c.accountId);
    return calendars.filter((x) => x.name === c.name).length > 1 && account
      ? `${c.name} (${account.displayName})`
      : c.name;
  };

  const askScope = (title: string) => new Promise<Scope | null>((resolve) => setScopeAsk({ title, resolve }));

  const createAt = useCallback(
    (start: Date, allDay: boolean) => {
      const cal = writable.find((c) => c.visible) ?? writable[0];
      if (!cal) {
        reportError(new Error('There is no writable calendar'));
        return;
      }
      const s = allDay ? dateValue(start) : localInputValue(start);
      const e = allDay
        ? dateValue(addDays(start, 1))
        : localInputValue(new Date(start.getTime() + 3_600_000));
      setEditor({
        occurrence: null,
        initial: { calendarId: cal.id, start: s, end: e, allDay, timeZone: userZone },
      });
    },
    [writable, reportError],
  );

  const createNew = useCallback(() => {
    const base = new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000);
    const day = mode === 'month' || mode === 'agenda' ? startOfDay(new Date()) : anchor;
    const start = new Date(day.getFullYear(), day.getMonth(), day.getDate(), base.getHours());
    createAt(
      sameDate(day, new Date()) ? base : new Date(start.getFullYear(), start.getMonth(), start.getDate(), 9),
      false,
    );
  }, [anchor, mode, createAt]);

  const open = useCallback((o: Occurrence) => {
    const local = occurrenceLocal(o);
    const e = o.event;
    setSelectedKey(occurrenceKey(o));
    setEditor({
      occurrence: o,
      initial: {
        calendarId: o.calendarId,
        summary: e.summary,
        description: e.description,
        location: e.location,
        start: local.start,
        end: local.end,
        allDay: e.allDay,
        timeZone: e.timeZone,
        rrule: e.rrule,
        showAs: e.showAs,
        reminderMinutes: e.reminderMinutes,
        categories: e.categories,
        attendees: e.attendees,
      },
    });
  }, []);

  // openEvent() from outside (a notification click): go to the occurrence's day, then open it once loaded.
  const openRequest = useCalendarOpen((st) => st.request);
  const [pendingOpen, setPendingOpen] = useState<{ eventId: string; startUtc: number; seq: number } | null>(null);
  useEffect(() => {
    if (!openRequest) return;
    let live = true;
    const { eventId, startUtc, seq } = openRequest;
    void (async () => {
      // Without an occurrence, the event's own start (its wall-clock day is close enough to find it).
      const at = startUtc ?? new Date((await call('events.get', { id: eventId })).start).getTime();
      if (!live) return;
      useCalendarOpen.getState().clear(seq);
      setEditor(null);
      setPendingOpen({ eventId, startUtc: at, seq });
      navigate({ anchor: startOfDay(new Date(at)) });
    })().catch((err: unknown) => {
      useCalendarOpen.getState().clear(seq);
      reportError(err);
    });
    return () => {
      live = false;
    };
  }, [openRequest, navigate, reportError]);
  useEffect(() => {
    if (!pendingOpen || loadedKey !== rangeKey || pendingOpen.startUtc < from || pendingOpen.startUtc >= to) return;
    const candidates = occurrences.filter((o) => o.eventId === pendingOpen.eventId);
    const nearest = candidates.sort((x, y) => Math.abs(x.startUtc - pendingOpen.startUtc) - Math.abs(y.startUtc - pendingOpen.startUtc))[0];
    setPendingOpen(null);
    if (nearest) open(nearest);
    else reportError(new Error('That event is no longer in your calendar'));
  }, [pendingOpen, occurrences, loadedKey, rangeKey, from, to, open, reportError]);

  const remove = useCallback(
    async (o: Occurrence) => {
      try {
        if (isRecurring(o)) {
          const scope = await askScope(`Delete “${o.event.summary || 'event'}”`);
          if (!scope) return;
          const res = await call('events.deleteOccurrence', {
            id: o.eventId,
            recurrenceId: o.recurrenceId!,
            scope,
          });
          showToast(
            scope === 'one'
              ? 'Occurrence deleted'
              : scope === 'following'
                ? 'This and following deleted'
                : 'Series deleted',
            res.taskId ? { undoTaskId: res.taskId } : undefined,
          );
        } else {
          if (o.event.attendees.length && o.event.organizer)
            await call('invitations.send', { eventId: o.eventId, method: 'CANCEL' }).catch(() => undefined);
          const res = await call('events.delete', { id: o.eventId });
          showToast('Event deleted', res.taskId ? { undoTaskId: res.taskId } : undefined);
        }
        setSelectedKey(null);
        setEditor(null);
      } catch (err) {
        reportError(err);
      }
    },
    [reportError, showToast],
  );

  const move = useCallback(
    async (o: Occurrence, startDelta: number, endDelta: number) => {
      const local = occurrenceLocal(o);
      const patch = { start: shiftLocal(local.start, startDelta), end: shiftLocal(local.end, endDelta) };
      try {
        if (isRecurring(o)) {
          const scope = await askScope(`Move “${o.event.summary || 'event'}”`);
          if (!scope) return;
          const res = await call('events.updateOccurrence', {
            id: o.eventId,
            recurrenceId: o.recurrenceId!,
            scope,
            patch,
          });
          showToast('Event moved', res.taskId ? { undoTaskId: res.taskId } : undefined);
        } else {
          await call('events.update', { id: o.eventId, patch });
          showToast('Event moved');
        }
      } catch (err) {
        reportError(err);
      }
    },
    [reportError, showToast],
  );

  const save = async (values: EditorValues) => {
    try {
      const o = editor?.occurrence ?? null;
      let eventId: string;
      if (!o) {
        const created = await call('events.create', { calendarId: values.calendarId, event: values.event });
        eventId = created.id;
        showToast('Event created');
      } else if (isRecurring(o)) {
        const scope = await askScope(`Save “${values.event.summary || 'event'}”`);
        if (!scope) return;
        const { rrule: _rrule, ...rest } = values.event;
        const patch = scope === 'one' ? rest : values.event;
        const res = await call('events.updateOccurrence', {
          id: o.eventId,
          recurrenceId: o.recurrenceId!,
          scope,
          patch,
        });
        eventId = res.id;
        showToast('Event saved', res.taskId ? { undoTaskId: res.taskId } : undefined);
      } else {
        const updated = await call('events.update', { id: o.eventId, patch: values.event });
        eventId = updated.id;
        showToast('Event saved');
      }
      if (values.sendInvitations) {
        const sent = await call('invitations.send', { eventId, method: 'REQUEST' });
        if (sent.outboxId) showToast('Invitations sent');
      }
      setEditor(null);
    } catch (err) {
      reportError(err);
    }
  };

  // Keyboard: t today, n/j next, p/k previous, d/x/w/m/a views, c create, Enter open, Delete remove.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || editor || scopeAsk) return;
      const t = e.target as HTMLElement | null;
      // Text fields keep their keys; checkboxes and colour pickers in the sidebar do not need them.
      const typing =
        t instanceof HTMLInputElement ? !['checkbox', 'radio', 'color', 'button'].includes(t.type) : false;
      if (t && (t.isContentEditable || typing || ['TEXTAREA', 'SELECT'].includes(t.tagName))) return;
      const key = e.key;
      const handled = (() => {
        if (key === 't') return (navigate({ anchor: startOfDay(new Date()) }), true);
        if (key === 'n' || key === 'j') return (navigate({ anchor: stepAnchor(mode, anchor, 1) }), true);
        if (key === 'p' || key === 'k') return (navigate({ anchor: stepAnchor(mode, anchor, -1) }), true);
        const m = MODES.find((x) => x.key === key);
        if (m) return (navigate({ mode: m.mode }), true);
        if (key === 'c') return (createNew(), true);
        if (key === 'Enter' && selected) return (open(selected), true);
        if ((key === 'Delete' || key === 'Backspace') && selected) return (void remove(selected), true);
        return false;
      })();
      if (handled) {
        // Keeps the global shortcuts (c = compose…) from also acting on this key.
        e.preventDefault();
        e.stopPropagation();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [anchor, mode, editor, scopeAsk, selected, navigate, createNew, open, remove]);

  const viewProps = {
    days,
    occurrences: visible,
    colorOf,
    selectedKey,
    onSelect: (o: Occurrence) => setSelectedKey(occurrenceKey(o)),
    onOpen: open,
    onMove: (o: Occurrence, s: number, e: number) => void move(o, s, e),
    onCreateAt: createAt,
  };

  return (
    <div className="calendar-view cal-layout">
      <CalendarSidebar
        calendars={calendars}
        accounts={accounts}
        onLocalChange={(id, patch) =>
          setCalendars((list) => list.map((c) => (c.id === id ? { ...c, ...patch } : c)))
        }
        onChanged={() => void loadCalendars().then(loadEvents).catch(reportError)}
      />
      <div className="cal-main">
        <div className="toolbar">
          <button
            type="button"
            onClick={() => navigate({ anchor: stepAnchor(mode, anchor, -1) })}
            aria-label="Previous"
            title="Previous (p)"
          >
            ‹
          </button>
          <button
            type="button"
            onClick={() => navigate({ anchor: startOfDay(new Date()) })}
            title="Today (t)"
          >
            Today
          </button>
          <button
            type="button"
            onClick={() => navigate({ anchor: stepAnchor(mode, anchor, 1) })}
            aria-label="Next"
            title="Next (n)"
          >
            ›
          </button>
          <h2 aria-live="polite" data-testid="cal-title">
            {titleOf(mode, anchor)}
          </h2>
          <span className="spacer" />
          <div className="segmented" role="tablist" aria-label="View">
            {MODES.map((m) => (
              <button
                key={m.mode}
                type="button"
                role="tab"
                aria-selected={mode === m.mode}
                title={`${m.label} (${m.key})`}
                onClick={() => navigate({ mode: m.mode })}
              >
                {m.label}
              </button>
            ))}
          </div>
          <button type="button" className="primary" onClick={createNew} title="New event (c)">
            New event
          </button>
        </div>
        <div className={`cal-body mode-${mode}`} data-loaded={loadedKey === rangeKey ? 'true' : 'false'}>
          {mode === 'month' ? (
            <MonthGrid {...viewProps} month={anchor.getMonth()} />
          ) : mode === 'agenda' ? (
            <Agenda {...viewProps} />
          ) : (
            <TimeGrid {...viewProps} />
          )}
        </div>
      </div>
      {editor && (
        <EventEditor
          key={editor.occurrence ? occurrenceKey(editor.occurrence) : 'new'}
          title={editor.occurrence ? 'Edit event' : 'New event'}
          calendars={(editor.occurrence
            ? calendars.filter((c) => c.id === editor.occurrence!.calendarId)
            : writable
          ).map((c) => ({ ...c, name: labelOf(c) }))}
          initial={editor.initial}
          occurrenceOfSeries={false}
          onSubmit={save}
          onCancel={() => setEditor(null)}
          onDelete={editor.occurrence ? () => void remove(editor.occurrence!) : undefined}
          onExport={
            editor.occurrence
              ? () => {
                  const eventId = editor.occurrence!.eventId;
                  void call('events.exportIcs', { eventId })
                    .then(({ filename, text }) => downloadText(filename, text, 'text/calendar'))
                    .catch(reportError);
                }
              : undefined
          }
        />
      )}
      {scopeAsk && (
        <div className="cal-dialog-backdrop" role="presentation">
          <div className="card scope-dialog" role="dialog" aria-modal="true" aria-label={scopeAsk.title}>
            <h2>{scopeAsk.title}</h2>
            <p className="muted">This is a repeating event.</p>
            <div className="actions column">
              {(
                [
                  ['one', 'This event'],
                  ['following', 'This and following events'],
                  ['all', 'All events'],
                ] as const
              ).map(([scope, text], i) => (
                <button
                  key={scope}
                  type="button"
                  autoFocus={i === 0}
                  onClick={() => {
                    scopeAsk.resolve(scope);
                    setScopeAsk(null);
                  }}
                >
                  {text}
                </button>
              ))}
              <button
                type="button"
                onClick={() => {
                  scopeAsk.resolve(null);
                  setScopeAsk(null);
                }}
              >
                Cancel
              </button>
            </div>
          </div>
        </div>
      )}
    </div>
  );
}

function sameDate(a: Date, b: Date): boolean {
  return dateValue(a) === dateValue(b);
}

/** Every calendar of every account, with its colour, a visibility switch, and .ics import/export. */
function CalendarSidebar({
  calendars,
  accounts,
  onLocalChange,
  onChanged,
}: {
  calendars: CalendarInfo[];
  accounts: { id: string; displayName: string; email: string }[];
  /** Shown at once, before the core has it. */
  onLocalChange(id: string, patch: { visible?: boolean; color?: string }): void;
  onChanged(): void;
}) {
  const { reportError, showToast } = useApp();
  const byAccount = new Map<string, CalendarInfo[]>();
  for (const c of calendars) byAccount.set(c.accountId, [...(byAccount.get(c.accountId) ?? []), c]);

  const update = async (id: string, patch: { visible?: boolean; color?: string }) => {
    onLocalChange(id, patch);
    try {
      await call('calendars.update', { id, ...patch });
      onChanged();
    } catch (err) {
      reportError(err);
    }
  };
  const importInto = async (c: CalendarInfo) => {
    const text = await pickTextFile('.ics,text/calendar');
    if (!text) return;
    try {
      const res = await call('events.importIcs', { calendarId: c.id, text });
      showToast(
        `Imported ${res.created} new and ${res.updated} updated event${res.created + res.updated === 1 ? '' : 's'} into ${c.name}${res.issues.length ? ` (${res.issues.length} repaired or skipped)` : ''}`,
      );
    } catch (err) {
      reportError(err);
    }
  };
  const exportOf = async (c: CalendarInfo) => {
    try {
      const { filename, text } = await call('events.exportIcs', { calendarId: c.id });
      downloadText(filename, text, 'text/calendar');
    } catch (err) {
      reportError(err);
    }
  };

  return (
    <aside className="cal-sidebar" aria-label="Calendars">
      {[...byAccount].map(([accountId, cals]) => {
        const account = accounts.find((a) => a.id === accountId);
        return (
          <section key={accountId}>
            <h3>{account ? account.displayName || account.email : 'Account'}</h3>
            <ul>
              {cals.map((c) => (
                <li key={c.id} className="cal-item">
                  <input
                    type="checkbox"
                    aria-label={`Show ${c.name}`}
                    checked={c.visible}
                    onChange={(e) => void update(c.id, { visible: e.target.checked })}
                  />
                  <input
                    type="color"
                    className="swatch"
                    aria-label={`Colour of ${c.name}`}
                    value={/^#[0-9a-f]{6}$/i.test(c.color) ? c.color : '#3b82f6'}
                    onChange={(e) => void update(c.id, { color: e.target.value })}
                  />
                  <span className="name" title={c.name}>
                    {c.name}
                    {c.readOnly && <span className="muted"> (read-only)</span>}
                  </span>
                  <span className="cal-actions">
                    {!c.readOnly && (
                      <button
                        type="button"
                        title="Import .ics"
                        aria-label={`Import .ics into ${c.name}`}
                        onClick={() => void importInto(c)}
                      >
                        ⤓
                      </button>
                    )}
                    <button
                      type="button"
                      title="Export .ics"
                      aria-label={`Export ${c.name} as .ics`}
                      onClick={() => void exportOf(c)}
                    >
                      ⤒
                    </button>
                  </span>
                </li>
              ))}
            </ul>
          </section>
        );
      })}
    </aside>
  );
}
