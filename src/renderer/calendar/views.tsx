import { memo, useEffect, useRef, useState, type PointerEvent as ReactPointerEvent } from 'react';
import type { Occurrence } from '../../shared/types';
import { DAY_MS, addDays, dateValue, occurrenceKey, sameDay, startOfDay, timeLabel } from './dates';

const HOUR_PX = 48;
const MIN_PX = HOUR_PX / 60;
const SNAP_MIN = 15;

export interface ViewProps {
  days: Date[];
  occurrences: Occurrence[];
  colorOf(calendarId: string): string;
  selectedKey: string | null;
  onSelect(o: Occurrence): void;
  onOpen(o: Occurrence): void;
  /** Drag or resize finished: how far the start and end moved, in milliseconds. */
  onMove(o: Occurrence, startDeltaMs: number, endDeltaMs: number): void;
  /** Create at this time (a click on an empty slot). */
  onCreateAt(start: Date, allDay: boolean): void;
}

function isAllDayLike(o: Occurrence): boolean {
  return o.event.allDay || o.endUtc - o.startUtc >= DAY_MS;
}

/** Occurrences overlapping one local day. All-day events are dates, so they are placed by their UTC date. */
function onDay(o: Occurrence, day: Date): boolean {
  if (o.event.allDay) {
    const d = Date.UTC(day.getFullYear(), day.getMonth(), day.getDate());
    return o.startUtc <= d && o.endUtc > d;
  }
  const from = day.getTime();
  const to = addDays(day, 1).getTime();
  return o.startUtc < to && o.endUtc > from;
}

/** Side-by-side columns for overlapping timed events of one day. */
function layoutDay(items: Occurrence[]): Map<Occurrence, { col: number; cols: number }> {
  const sorted = [...items].sort((a, b) => a.startUtc - b.startUtc || b.endUtc - a.endUtc);
  const out = new Map<Occurrence, { col: number; cols: number }>();
  let cluster: Occurrence[] = [];
  let clusterEnd = -Infinity;
  let columns: number[] = [];
  const flush = () => {
    for (const o of cluster) out.get(o)!.cols = columns.length;
    cluster = [];
    columns = [];
  };
  for (const o of sorted) {
    if (o.startUtc >= clusterEnd) flush();
    let col = columns.findIndex((end) => end <= o.startUtc);
    if (col === -1) {
      col = columns.length;
      columns.push(o.endUtc);
    } else columns[col] = o.endUtc;
    out.set(o, { col, cols: 1 });
    cluster.push(o);
    clusterEnd = Math.max(clusterEnd, o.endUtc);
  }
  flush();
  return out;
}

function label(o: Occurrence): string {
  return o.event.summary || '(no title)';
}

interface DragState {
  key: string;
  mode: 'move' | 'resize';
  x: number;
  y: number;
  minutes: number;
  dayDelta: number;
  moved: boolean;
}

/** Day, work-week and week views: an all-day row, then 24 hours with a line at the current time. */
export const TimeGrid = memo(function TimeGrid(props: ViewProps) {
  const { days, occurrences } = props;
  const [drag, setDrag] = useState<DragState | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const scroller = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(t);
  }, []);
  useEffect(() => {
    // Open at the working day, not at midnight.
    if (scroller.current) scroller.current.scrollTop = 7 * HOUR_PX;
  }, []);

  const begin = (e: ReactPointerEvent, o: Occurrence, mode: DragState['mode']) => {
    if (e.button !== 0) return;
    e.stopPropagation();
    const key = occurrenceKey(o);
    const start = { x: e.clientX, y: e.clientY };
    const startDay = (e.currentTarget.closest('[data-day]') as HTMLElement | null)?.dataset.day;
    let state: DragState = { key, mode, x: start.x, y: start.y, minutes: 0, dayDelta: 0, moved: false };
    setDrag(state);
    const onMoveEvt = (ev: PointerEvent) => {
      const minutes = Math.round((ev.clientY - start.y) / MIN_PX / SNAP_MIN) * SNAP_MIN;
      const overDay = (document.elementFromPoint(ev.clientX, ev.clientY)?.closest('[data-day]') as HTMLElement | null)?.dataset.day;
      const dayDelta = mode === 'move' && overDay && startDay ? Math.round((Date.parse(overDay) - Date.parse(startDay)) / DAY_MS) : 0;
      const moved = state.moved || Math.abs(ev.clientY - start.y) > 4 || dayDelta !== 0;
      state = { ...state, minutes, dayDelta, moved };
      setDrag(state);
    };
    const onUp = () => {
      window.removeEventListener('pointermove', onMoveEvt);
      window.removeEventListener('pointerup', onUp);
      setDrag(null);
      if (!state.moved) {
        props.onSelect(o);
        return;
      }
      const delta = state.minutes * 60_000 + state.dayDelta * DAY_MS;
      if (delta === 0) return;
      if (mode === 'move') props.onMove(o, delta, delta);
      else props.onMove(o, 0, delta);
    };
    window.addEventListener('pointermove', onMoveEvt);
    window.addEventListener('pointerup', onUp);
  };

  const today = new Date(now);
  return (
    <div className="time-grid" style={{ ['--days' as string]: days.length }}>
      <div className="tg-head">
        <div className="tg-gutter" />
        {days.map((d) => (
          <div key={d.toISOString()} className={`tg-dayname${sameDay(d, today) ? ' today' : ''}`}>
            {d.toLocaleDateString([], { weekday: 'short', day: 'numeric', month: days.length === 1 ? 'long' : undefined })}
          </div>
        ))}
      </div>
      <div className="tg-allday" role="row" aria-label="All-day events">
        <div className="tg-gutter muted">all day</div>
        {days.map((d) => (
          <div key={d.toISOString()} className="tg-allday-cell" data-day={dateValue(d)} onDoubleClick={() => props.onCreateAt(d, true)}>
            {occurrences
              .filter((o) => isAllDayLike(o) && onDay(o, d))
              .map((o) => (
                <EventChip key={occurrenceKey(o)} o={o} {...props} />
              ))}
          </div>
        ))}
      </div>
      <div className="tg-body" ref={scroller}>
        <div className="tg-hours">
          {Array.from({ length: 24 }, (_, h) => (
            <div key={h} className="tg-hour">
              {h === 0 ? '' : new Date(2000, 0, 1, h).toLocaleTimeString([], { hour: 'numeric' })}
            </div>
          ))}
        </div>
        {days.map((d) => {
          const dayStart = startOfDay(d).getTime();
          const timed = occurrences.filter((o) => !isAllDayLike(o) && onDay(o, d));
          const layout = layoutDay(timed);
          return (
            <div
              key={d.toISOString()}
              className={`tg-day${sameDay(d, today) ? ' today' : ''}`}
              data-day={dateValue(d)}
              role="gridcell"
              aria-label={d.toDateString()}
              onDoubleClick={(e) => {
                const y = e.clientY - e.currentTarget.getBoundingClientRect().top;
                const minutes = Math.floor(y / MIN_PX / 30) * 30;
                props.onCreateAt(new Date(dayStart + minutes * 60_000), false);
              }}
            >
              {sameDay(d, today) && <div className="now-line" role="presentation" aria-label="Now" style={{ top: ((now - dayStart) / 60_000) * MIN_PX }} />}
              {timed.map((o) => {
                const key = occurrenceKey(o);
                const pos = layout.get(o) ?? { col: 0, cols: 1 };
                const top = (Math.max(o.startUtc, dayStart) - dayStart) / 60_000;
                const bottom = (Math.min(o.endUtc, dayStart + DAY_MS) - dayStart) / 60_000;
                const dragging = drag?.key === key && drag.moved ? drag : null;
                const shift = dragging?.mode === 'move' ? dragging.minutes : 0;
                const grow = dragging?.mode === 'resize' ? dragging.minutes : 0;
                return (
                  <div
                    key={key}
                    className={`tg-event${props.selectedKey === key ? ' selected' : ''}${dragging ? ' dragging' : ''}`}
                    style={{
                      top: (top + shift) * MIN_PX,
                      height: Math.max(18, (bottom - top + grow) * MIN_PX),
                      left: `${(pos.col / pos.cols) * 100}%`,
                      width: `${100 / pos.cols}%`,
                      borderColor: props.colorOf(o.calendarId),
                      transform: dragging?.dayDelta ? `translateX(${dragging.dayDelta * 100}%)` : undefined,
                    }}
                    data-event-id={o.eventId}
                    data-testid="event"
                    tabIndex={0}
                    role="button"
                    aria-label={`${label(o)}, ${timeLabel(o.startUtc)} to ${timeLabel(o.endUtc)}`}
                    onPointerDown={(e) => begin(e, o, 'move')}
                    onDoubleClick={(e) => (e.stopPropagation(), props.onOpen(o))}
                    onFocus={() => props.onSelect(o)}
                  >
                    <span className="time">{timeLabel(o.startUtc)}</span> <span className="title">{label(o)}</span>
                    {o.event.location && <span className="where muted"> · {o.event.location}</span>}
                    <span className="resize" aria-hidden="true" onPointerDown={(e) => begin(e, o, 'resize')} />
                  </div>
                );
              })}
            </div>
          );
        })}
      </div>
    </div>
  );
});

function EventChip({ o, ...props }: { o: Occurrence } & ViewProps) {
  const key = occurrenceKey(o);
  return (
    <div
      className={`event-chip${props.selectedKey === key ? ' selected' : ''}`}
      style={{ borderColor: props.colorOf(o.calendarId) }}
      data-event-id={o.eventId}
      data-testid="event"
      tabIndex={0}
      role="button"
      draggable
      onDragStart={(e) => e.dataTransfer.setData('text/x-pimlico-occurrence', key)}
      aria-label={`${label(o)}${o.event.allDay ? ', all day' : `, ${timeLabel(o.startUtc)}`}`}
      onClick={(e) => (e.stopPropagation(), props.onSelect(o))}
      onDoubleClick={(e) => (e.stopPropagation(), props.onOpen(o))}
      onFocus={() => props.onSelect(o)}
    >
      {!o.event.allDay && <span className="time">{timeLabel(o.startUtc)} </span>}
      <span className="title">{label(o)}</span>
    </div>
  );
}

const MAX_CHIPS = 4;

/** Month view: six weeks of days; events move between days by drag and drop. */
export const MonthGrid = memo(function MonthGrid(props: ViewProps & { month: number }) {
  const today = new Date();
  // One pass over the occurrences, bucketed by day, instead of filtering them for every cell.
  const buckets = new Map<string, Occurrence[]>();
  const first = props.days[0]!;
  const last = addDays(props.days[props.days.length - 1]!, 1);
  for (const o of props.occurrences) {
    for (let d = o.event.allDay ? new Date(new Date(o.startUtc).getUTCFullYear(), new Date(o.startUtc).getUTCMonth(), new Date(o.startUtc).getUTCDate()) : startOfDay(new Date(o.startUtc)); d < last; d = addDays(d, 1)) {
      if (!onDay(o, d)) break;
      if (d < first) continue;
      const k = dateValue(d);
      const list = buckets.get(k);
      if (list) list.push(o);
      else buckets.set(k, [o]);
    }
  }
  const byKey = new Map(props.occurrences.map((o) => [occurrenceKey(o), o]));
  return (
    <div className="month-grid" role="grid" aria-label="Month">
      {['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].map((n) => (
        <div key={n} className="mg-dayname" role="columnheader">
          {n}
        </div>
      ))}
      {props.days.map((d) => {
        const k = dateValue(d);
        const items = buckets.get(k) ?? [];
        return (
          <div
            key={k}
            className={`mg-cell${d.getMonth() !== props.month ? ' other' : ''}${sameDay(d, today) ? ' today' : ''}`}
            role="gridcell"
            data-day={k}
            aria-label={d.toDateString()}
            onDoubleClick={() => props.onCreateAt(d, true)}
            onDragOver={(e) => e.preventDefault()}
            onDrop={(e) => {
              e.preventDefault();
              const o = byKey.get(e.dataTransfer.getData('text/x-pimlico-occurrence'));
              if (!o) return;
              const from = o.event.allDay ? new Date(new Date(o.startUtc).getUTCFullYear(), new Date(o.startUtc).getUTCMonth(), new Date(o.startUtc).getUTCDate()) : startOfDay(new Date(o.startUtc));
              const days = Math.round((d.getTime() - from.getTime()) / DAY_MS);
              if (days) props.onMove(o, days * DAY_MS, days * DAY_MS);
            }}
          >
            <div className="mg-date">{d.getDate()}</div>
            {items.slice(0, MAX_CHIPS).map((o) => (
              <EventChip key={occurrenceKey(o)} o={o} {...props} />
            ))}
            {items.length > MAX_CHIPS && <div className="mg-more muted">{items.length - MAX_CHIPS} more</div>}
          </div>
        );
      })}
    </div>
  );
});

/** Agenda: the next 30 days as a list, days without events left out. */
export const Agenda = memo(function Agenda(props: ViewProps) {
  const groups = props.days.map((d) => ({ d, items: props.occurrences.filter((o) => onDay(o, d)) })).filter((g) => g.items.length);
  if (!groups.length) return <p className="muted agenda-empty">No events in the next 30 days.</p>;
  return (
    <div className="agenda" role="list" aria-label="Agenda">
      {groups.map(({ d, items }) => (
        <section key={d.toISOString()} role="listitem" aria-label={d.toDateString()}>
          <h3>{d.toLocaleDateString([], { weekday: 'long', day: 'numeric', month: 'long' })}</h3>
          {items.map((o) => {
            const key = occurrenceKey(o);
            return (
              <div
                key={key}
                className={`agenda-item${props.selectedKey === key ? ' selected' : ''}`}
                style={{ borderColor: props.colorOf(o.calendarId) }}
                data-event-id={o.eventId}
                data-testid="event"
                tabIndex={0}
                role="button"
                onClick={() => props.onSelect(o)}
                onDoubleClick={() => props.onOpen(o)}
                onFocus={() => props.onSelect(o)}
              >
                <span className="time">{o.event.allDay ? 'All day' : `${timeLabel(o.startUtc)} – ${timeLabel(o.endUtc)}`}</span>
                <span className="title">{label(o)}</span>
                {o.event.location && <span className="muted">{o.event.location}</span>}
              </div>
            );
          })}
        </section>
      ))}
    </div>
  );
});
