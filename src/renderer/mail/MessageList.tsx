import { useEffect, useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { MessageSummary } from '../../shared/types';

const ROW_HEIGHT = 64;

function shortDate(ms: number): string {
  const d = new Date(ms);
  const now = new Date();
  return d.toDateString() === now.toDateString()
    ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : d.toLocaleDateString([], { month: 'short', day: 'numeric' });
}

/** Renders only the rows on screen, so 100,000 messages cost the same as 20. */
export function MessageList(props: {
  items: MessageSummary[];
  total: number;
  selectedId: string | null;
  onOpen: (id: string) => void;
  onEndReached: () => void;
}) {
  const parentRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: props.items.length,
    getScrollElement: () => parentRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });
  const virtualItems = virtualizer.getVirtualItems();
  const lastIndex = virtualItems[virtualItems.length - 1]?.index ?? 0;
  const { items, onEndReached } = props;
  useEffect(() => {
    if (items.length && lastIndex >= items.length - 20) onEndReached();
  }, [lastIndex, items.length, onEndReached]);
  const selectedIndex = props.items.findIndex((m) => m.id === props.selectedId);
  useEffect(() => {
    if (selectedIndex >= 0) virtualizer.scrollToIndex(selectedIndex, { align: 'auto' });
  }, [selectedIndex, virtualizer]);

  if (props.items.length === 0) {
    return (
      <div className="message-list empty" role="listbox" aria-label="Messages">
        <p>No messages</p>
      </div>
    );
  }
  return (
    <div ref={parentRef} className="message-list" role="listbox" aria-label="Messages" tabIndex={0}>
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualItems.map((row) => {
          const m = props.items[row.index]!;
          const selected = m.id === props.selectedId;
          return (
            <div
              key={m.id}
              role="option"
              aria-selected={selected}
              data-message-id={m.id}
              className={`message-row${m.isRead ? '' : ' unread'}${selected ? ' selected' : ''}`}
              style={{ position: 'absolute', top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${row.start}px)` }}
              onClick={() => props.onOpen(m.id)}
            >
              <div className="row-top">
                <span className="sender">{m.from?.name || m.from?.address || '(unknown sender)'}</span>
                {m.threadCount > 1 && <span className="count">{m.threadCount}</span>}
                <span className="markers">
                  {m.isFlagged && <span title="Flagged" aria-label="Flagged">⚑</span>}
                  {m.hasAttachments && <span title="Has attachments" aria-label="Has attachments">📎</span>}
                </span>
                <time className="date">{shortDate(m.date)}</time>
              </div>
              <div className="subject">{m.subject || '(no subject)'}</div>
              <div className="snippet">{m.snippet}</div>
            </div>
          );
        })}
      </div>
    </div>
  );
}
