import { memo, useEffect, useMemo, useRef, type ReactNode } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { MessageSummary } from '../../shared/types';

const ROW_HEIGHT = { comfortable: 64, compact: 44 } as const;

// Formatters are built once: toLocale*String builds one per call, which was most of a row's render time.
const timeOfDay = new Intl.DateTimeFormat([], { hour: '2-digit', minute: '2-digit' });
const dayOfYear = new Intl.DateTimeFormat([], { month: 'short', day: 'numeric' });

function shortDate(ms: number): string {
  const d = new Date(ms);
  const now = new Date();
  const today = d.getFullYear() === now.getFullYear() && d.getMonth() === now.getMonth() && d.getDate() === now.getDate();
  return (today ? timeOfDay : dayOfYear).format(d);
}

/** Wraps the search terms found in a text in <mark>, matching word starts as the index does. */
export function highlight(text: string, pattern: RegExp | null): ReactNode {
  if (!pattern || !text) return text;
  const parts = text.split(pattern);
  return parts.map((p, i) => (i % 2 === 1 ? <mark key={i}>{p}</mark> : p));
}

export function termsPattern(terms: string[]): RegExp | null {
  const words = terms
    .flatMap((t) => t.split(/[^\p{L}\p{N}]+/u))
    .filter((w) => w.length > 0)
    .map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  if (!words.length) return null;
  return new RegExp(`((?<![\\p{L}\\p{N}])(?:${words.join('|')}))`, 'giu');
}

const Row = memo(function Row(props: {
  m: MessageSummary;
  selected: boolean;
  checked: boolean;
  top: number;
  height: number;
  pattern: RegExp | null;
  onOpen: (id: string) => void;
  onCheck: (id: string) => void;
}) {
  const { m, selected, checked, pattern } = props;
  const sender = m.from?.name || m.from?.address || '(unknown sender)';
  return (
    <div
      role="option"
      id={`row-${m.id}`}
      aria-selected={selected}
      aria-checked={checked}
      aria-label={`${m.isRead ? '' : 'Unread, '}${m.isFlagged ? 'Flagged, ' : ''}${sender}: ${m.subject || '(no subject)'}`}
      data-message-id={m.id}
      className={`message-row${m.isRead ? '' : ' unread'}${selected ? ' selected' : ''}${checked ? ' checked' : ''}`}
      style={{ position: 'absolute', top: 0, left: 0, right: 0, height: props.height, transform: `translateY(${props.top}px)` }}
      onClick={() => props.onOpen(m.id)}
    >
      <input
        type="checkbox"
        className="row-check"
        tabIndex={-1}
        aria-label={`Select ${m.subject || 'message'}`}
        checked={checked}
        onClick={(e) => e.stopPropagation()}
        onChange={() => props.onCheck(m.id)}
      />
      <div className="row-main">
        <div className="row-top">
          {!m.isRead && <span className="unread-dot" aria-hidden="true" />}
          <span className="sender">{highlight(sender, pattern)}</span>
          {m.threadCount > 1 && <span className="count">{m.threadCount}</span>}
          <span className="markers">
            {m.isFlagged && (
              <span className="flag" title="Flagged" aria-hidden="true">
                ⚑
              </span>
            )}
            {m.hasAttachments && (
              <span title="Has attachments" aria-hidden="true">
                📎
              </span>
            )}
          </span>
          <time className="date">{shortDate(m.date)}</time>
        </div>
        <div className="subject">{highlight(m.subject || '(no subject)', pattern)}</div>
        <div className="snippet">{highlight(m.snippet, pattern)}</div>
      </div>
    </div>
  );
});

/** Renders only the rows on screen, so 100,000 messages cost the same as 20. */
export function MessageList(props: {
  items: MessageSummary[];
  total: number;
  selectedId: string | null;
  checked: string[];
  highlights: string[];
  density: 'comfortable' | 'compact';
  onOpen: (id: string) => void;
  onCheck: (id: string) => void;
  onEndReached: () => void;
}) {
  const parentRef = useRef<HTMLDivElement>(null);
  const rowHeight = ROW_HEIGHT[props.density];
  const virtualizer = useVirtualizer({
    count: props.items.length,
    getScrollElement: () => parentRef.current,
    estimateSize: () => rowHeight,
    overscan: 10,
  });
  useEffect(() => virtualizer.measure(), [rowHeight, virtualizer]);
  const virtualItems = virtualizer.getVirtualItems();
  const lastIndex = virtualItems[virtualItems.length - 1]?.index ?? 0;
  const { items, onEndReached } = props;
  useEffect(() => {
    // Ask for the next page well before the end, so scrolling never hits a wall.
    if (items.length && lastIndex >= items.length - 40) onEndReached();
  }, [lastIndex, items.length, onEndReached]);
  const selectedIndex = useMemo(() => props.items.findIndex((m) => m.id === props.selectedId), [props.items, props.selectedId]);
  useEffect(() => {
    if (selectedIndex >= 0) virtualizer.scrollToIndex(selectedIndex, { align: 'auto' });
  }, [selectedIndex, virtualizer]);
  const pattern = useMemo(() => termsPattern(props.highlights), [props.highlights]);
  const checked = useMemo(() => new Set(props.checked), [props.checked]);

  if (props.items.length === 0) {
    return (
      <div className="message-list empty" role="listbox" aria-label="Messages">
        <p>No messages</p>
      </div>
    );
  }
  return (
    <div
      ref={parentRef}
      className="message-list"
      role="listbox"
      aria-label="Messages"
      aria-multiselectable="true"
      aria-activedescendant={props.selectedId ? `row-${props.selectedId}` : undefined}
      tabIndex={0}
    >
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualItems.map((row) => {
          const m = props.items[row.index]!;
          return (
            <Row
              key={m.id}
              m={m}
              selected={m.id === props.selectedId}
              checked={checked.has(m.id)}
              top={row.start}
              height={rowHeight}
              pattern={pattern}
              onOpen={props.onOpen}
              onCheck={props.onCheck}
            />
          );
        })}
      </div>
    </div>
  );
}
