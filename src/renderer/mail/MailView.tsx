import { useCallback, useEffect } from 'react';
import { useMail } from './store';
import { MessageList } from './MessageList';
import { ReadingPane } from './ReadingPane';
import { useApp } from '../app/store';

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.isContentEditable);
}

export function MailView() {
  const { items, total, selectedId, detail, open, loadMore, archive, remove, setFlags, search, query } = useMail();
  const onEndReached = useCallback(() => void loadMore(), [loadMore]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
      const index = items.findIndex((m) => m.id === selectedId);
      const current = selectedId ? [selectedId] : [];
      switch (e.key) {
        case 'j':
          void open(items[Math.min(items.length - 1, index + 1)]?.id ?? null);
          break;
        case 'k':
          void open(items[Math.max(0, index - 1)]?.id ?? null);
          break;
        case 'e':
          if (current.length) void archive(current);
          break;
        case '#':
          if (current.length) void remove(current);
          break;
        case 's':
          if (detail) void setFlags(current, { flagged: !detail.isFlagged });
          break;
        case 'U':
          if (current.length) void setFlags(current, { read: false });
          break;
        case 'z':
          void useApp.getState().undo();
          break;
        case '/':
          e.preventDefault();
          document.querySelector<HTMLInputElement>('#mail-search')?.focus();
          break;
        default:
          return;
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [items, selectedId, detail, open, archive, remove, setFlags]);

  return (
    <div className="mail-view">
      <div className="list-column">
        <div className="list-toolbar">
          <input
            id="mail-search"
            type="search"
            placeholder="Search mail (/)"
            aria-label="Search mail"
            value={query}
            onChange={(e) => void search(e.target.value)}
          />
          <span className="muted">{total}</span>
        </div>
        <MessageList items={items} total={total} selectedId={selectedId} onOpen={(id) => void open(id)} onEndReached={onEndReached} />
      </div>
      <ReadingPane message={detail} />
    </div>
  );
}
