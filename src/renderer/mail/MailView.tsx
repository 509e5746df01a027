import { useCallback, useEffect, useRef } from 'react';
import { useMail } from './store';
import { MessageList } from './MessageList';
import { ReadingPane } from './ReadingPane';
import { usePrefs } from './prefs';
import { useApp } from '../app/store';
import { useCompose } from '../compose/store';
import { MailSettings } from './MailSettings';

const ROLE_TITLE: Record<string, string> = { inbox: 'All inboxes', drafts: 'Drafts', sent: 'Sent', archive: 'Archive', trash: 'Trash', junk: 'Junk' };

export function MailView() {
  const { items, total, selectedId, checked, highlights, query, source, focus, undoStack, open, loadMore, search, toggleCheck, setThreads, undo, clearChecks } = useMail();
  const { threads, density } = usePrefs();
  const folders = useApp((s) => s.folders);
  const listRef = useRef<HTMLDivElement>(null);
  const onEndReached = useCallback(() => void loadMore(), [loadMore]);
  const onOpen = useCallback((id: string) => void open(id), [open]);
  const onCheck = useCallback((id: string) => toggleCheck(id), [toggleCheck]);
  const title = 'folderId' in source ? (folders.find((f) => f.id === source.folderId)?.name ?? 'Folder') : (ROLE_TITLE[source.role] ?? source.role);

  useEffect(() => {
    if (focus === 'list') listRef.current?.querySelector<HTMLElement>('.message-list')?.focus({ preventScroll: true });
  }, [focus]);

  return (
    <div className="mail-view">
      <div className="list-column" ref={listRef}>
        <div className="list-toolbar" role="toolbar" aria-label="Mail">
          <input
            id="mail-search"
            type="search"
            placeholder="Search mail (/)"
            aria-label="Search mail"
            value={query}
            onChange={(e) => void search(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' || e.key === 'ArrowDown') {
                e.preventDefault();
                if (items[0] && !selectedId) void open(items[0].id);
                listRef.current?.querySelector<HTMLElement>('.message-list')?.focus();
              }
            }}
          />
          <button type="button" className="primary" onClick={() => void useCompose.getState().start('new')} title="Compose (c)">
            Compose
          </button>
          <button type="button" aria-label="Mail settings" title="Mail settings" onClick={() => usePrefs.getState().setDialogOpen(true)}>
            ⚙
          </button>
        </div>
        <div className="list-status">
          <h1 className="view-title">{query ? `Search: ${query}` : title}</h1>
          <span className="muted" aria-live="polite">
            {checked.length ? `${checked.length} selected · ` : ''}
            {total.toLocaleString()} {threads ? 'conversations' : 'messages'}
          </span>
          {checked.length > 0 && (
            <button type="button" onClick={clearChecks}>
              Clear selection
            </button>
          )}
          <label className="threads-toggle">
            <input type="checkbox" checked={threads} onChange={(e) => void setThreads(e.target.checked)} /> Conversations
          </label>
          <button type="button" disabled={!undoStack.length} onClick={() => void undo()} title="Undo (z)">
            Undo
          </button>
        </div>
        <MessageList
          items={items}
          total={total}
          selectedId={selectedId}
          checked={checked}
          highlights={highlights}
          density={density}
          onOpen={onOpen}
          onCheck={onCheck}
          onEndReached={onEndReached}
        />
      </div>
      <ReadingPane />
      <MailSettings />
    </div>
  );
}
