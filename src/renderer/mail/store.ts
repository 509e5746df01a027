import { create } from 'zustand';
import type { FolderRole, MessageDetail, MessageSummary } from '../../shared/types';
import { call } from '../lib/client';
import { toastForTask, useApp } from '../app/store';

const PAGE = 200;

type Source = { folderId: string } | { role: FolderRole };

interface MailState {
  source: Source;
  items: MessageSummary[];
  total: number;
  loading: boolean;
  selectedId: string | null;
  detail: MessageDetail | null;
  query: string;
  selectSource(source: Source): Promise<void>;
  refresh(): Promise<void>;
  loadMore(): Promise<void>;
  open(id: string | null): Promise<void>;
  search(query: string): Promise<void>;
  archive(ids: string[]): Promise<void>;
  remove(ids: string[]): Promise<void>;
  setFlags(ids: string[], flags: { read?: boolean; flagged?: boolean }): Promise<void>;
}

export const useMail = create<MailState>((set, get) => {
  /** After archive/delete the next message opens at once, so triage never waits. */
  const afterRemoval = (ids: string[]) => {
    const { items, selectedId } = get();
    const index = items.findIndex((m) => m.id === selectedId);
    const remaining = items.filter((m) => !ids.includes(m.id));
    const next = selectedId && ids.includes(selectedId) ? (remaining[Math.min(index, remaining.length - 1)] ?? null) : null;
    set({ items: remaining, total: get().total - (items.length - remaining.length) });
    if (selectedId && ids.includes(selectedId)) void get().open(next?.id ?? null);
  };

  return {
    source: { role: 'inbox' },
    items: [],
    total: 0,
    loading: false,
    selectedId: null,
    detail: null,
    query: '',
    selectSource: async (source) => {
      set({ source, query: '', selectedId: null, detail: null, items: [] });
      await get().refresh();
    },
    refresh: async () => {
      const { source, query, items } = get();
      if (query) return get().search(query);
      set({ loading: true });
      try {
        const page = await call('mail.list', { ...source, offset: 0, limit: Math.max(PAGE, items.length) });
        set({ items: page.items, total: page.total });
      } catch (err) {
        useApp.getState().reportError(err);
      } finally {
        set({ loading: false });
      }
    },
    loadMore: async () => {
      const { source, items, total, loading, query } = get();
      if (loading || query || items.length >= total) return;
      set({ loading: true });
      try {
        const page = await call('mail.list', { ...source, offset: items.length, limit: PAGE });
        set({ items: [...get().items, ...page.items], total: page.total });
      } finally {
        set({ loading: false });
      }
    },
    open: async (id) => {
      set({ selectedId: id, detail: null });
      if (!id) return;
      try {
        const detail = await call('mail.get', { id });
        if (get().selectedId !== id) return;
        set({ detail });
        if (!detail.isRead) {
          await call('mail.setFlags', { ids: [id], read: true });
          set({ items: get().items.map((m) => (m.id === id ? { ...m, isRead: true } : m)) });
        }
      } catch (err) {
        useApp.getState().reportError(err);
      }
    },
    search: async (query) => {
      set({ query });
      if (!query.trim()) return get().refresh();
      const res = await call('mail.search', { query, limit: 500 });
      if (get().query === query) set({ items: res.items, total: res.total });
    },
    archive: async (ids) => {
      try {
        const task = await call('mail.archive', { ids });
        afterRemoval(ids);
        toastForTask(ids.length > 1 ? `Archived ${ids.length} conversations` : 'Archived', task);
      } catch (err) {
        useApp.getState().reportError(err);
      }
    },
    remove: async (ids) => {
      try {
        const task = await call('mail.delete', { ids });
        afterRemoval(ids);
        toastForTask('Deleted', task);
      } catch (err) {
        useApp.getState().reportError(err);
      }
    },
    setFlags: async (ids, flags) => {
      try {
        const task = await call('mail.setFlags', { ids, ...flags });
        set({
          items: get().items.map((m) =>
            ids.includes(m.id) ? { ...m, isRead: flags.read ?? m.isRead, isFlagged: flags.flagged ?? m.isFlagged } : m,
          ),
        });
        toastForTask(flags.flagged !== undefined ? (flags.flagged ? 'Flagged' : 'Unflagged') : flags.read ? 'Marked read' : 'Marked unread', task);
      } catch (err) {
        useApp.getState().reportError(err);
      }
    },
  };
});
