import { create } from 'zustand';
import type { Folder, FolderRole, MessageDetail, MessageSummary, TaskInfo } from '../../shared/types';
import { call } from '../lib/client';
import { useApp } from '../app/store';
import { usePrefs } from './prefs';

const PAGE = 200;
/** The contract's largest page; a refresh re-reads at most this many rows at once. */
const MAX_PAGE = 1000;
const DETAIL_CACHE = 64;

export type Source = { folderId: string } | { role: FolderRole };

interface UndoEntry {
  label: string;
  /** The undoable tasks the action created, known once the core answered (z may come sooner). */
  tasks: Promise<string[]>;
  /** Messages the action hid from the list, shown again by undo. */
  ids: string[];
}

interface MailState {
  source: Source;
  items: MessageSummary[];
  total: number;
  loading: boolean;
  /** The cursor: the message (or conversation) shown in the reading pane. */
  selectedId: string | null;
  detail: MessageDetail | null;
  /** The conversation of the selected message when listing threads, oldest first. */
  conversation: MessageDetail[];
  /** Multi-selection made with x; actions apply to it when it is not empty. */
  checked: string[];
  query: string;
  highlights: string[];
  focus: 'list' | 'pane';
  undoStack: UndoEntry[];
  selectSource(source: Source): Promise<void>;
  refresh(): Promise<void>;
  loadMore(): Promise<void>;
  open(id: string | null): Promise<void>;
  move(step: 1 | -1): void;
  toggleCheck(id?: string): void;
  clearChecks(): void;
  setFocus(focus: 'list' | 'pane'): void;
  search(query: string): Promise<void>;
  setThreads(threads: boolean): Promise<void>;
  archive(): Promise<void>;
  remove(): Promise<void>;
  spam(): Promise<void>;
  moveTo(folderId: string): Promise<void>;
  toggleFlag(): Promise<void>;
  markRead(read: boolean): Promise<void>;
  undo(): Promise<void>;
  /** Ids the next action applies to: the checked messages, else the open one (whole conversations in thread view). */
  targets(): Promise<string[]>;
}

/** Recently opened or prefetched messages, so j/k and "next after archive" paint without a round trip. */
const detailCache = new Map<string, MessageDetail>();
function remember(d: MessageDetail): void {
  detailCache.delete(d.id);
  detailCache.set(d.id, d);
  if (detailCache.size > DETAIL_CACHE) detailCache.delete(detailCache.keys().next().value as string);
}
/** Detail requests on their way, so a key press never asks twice for what a prefetch already asked. */
const inflight = new Map<string, Promise<MessageDetail>>();
function fetchDetail(id: string): Promise<MessageDetail> {
  const cached = detailCache.get(id);
  if (cached) return Promise.resolve(cached);
  let p = inflight.get(id);
  if (!p) {
    p = call('mail.get', { id })
      .then((d) => {
        remember(d);
        return d;
      })
      .finally(() => inflight.delete(id));
    inflight.set(id, p);
  }
  return p;
}
/** Messages an action removed from view whose change the core may not have reported yet. */
const hidden = new Set<string>();
/** One list refresh at a time; changes reported meanwhile cause exactly one more. */
let refreshing: Promise<void> | null = null;
let refreshAgain = false;

/** The old row when nothing in it changed, else the new one. */
function sameOrNew(old: MessageSummary | undefined, fresh: MessageSummary): MessageSummary {
  return old && JSON.stringify(old) === JSON.stringify(fresh) ? old : fresh;
}

function sourceKey(s: Source): string {
  return 'folderId' in s ? `f:${s.folderId}` : `r:${s.role}`;
}

export const useMail = create<MailState>((set, get) => {
  const report = (err: unknown) => useApp.getState().reportError(err);

  const prefetch = (ids: (string | undefined)[]) => {
    for (const id of ids) if (id && !detailCache.has(id)) fetchDetail(id).catch(() => undefined);
  };

  /** Takes messages out of the list at once and opens the next one, before the core answers. */
  const hideAndAdvance = (ids: string[]) => {
    const { items, selectedId, checked } = get();
    const gone = new Set(ids);
    const rowGone = (m: MessageSummary) => gone.has(m.id);
    for (const id of ids) hidden.add(id);
    const index = items.findIndex((m) => m.id === selectedId);
    const remaining = items.filter((m) => !rowGone(m));
    const cursorGone = selectedId !== null && !remaining.some((m) => m.id === selectedId);
    set({
      items: remaining,
      total: Math.max(0, get().total - (items.length - remaining.length)),
      checked: checked.filter((id) => !gone.has(id)),
    });
    if (cursorGone) {
      const next = remaining[Math.min(Math.max(index, 0), remaining.length - 1)] ?? null;
      void get().open(next?.id ?? null);
    }
  };

  /** Puts an action on the undo stack at once, so z works even before the core has answered. */
  const track = (label: string, ids: string[], performed: Promise<TaskInfo>) => {
    const tasks = performed.then((t) => (t.undoable ? [t.id] : [])).catch(() => []);
    set({ undoStack: [...get().undoStack.slice(-49), { label, tasks, ids }] });
    useApp.getState().showToast(`${label} — press z to undo`);
  };

  /** Runs a triage action that removes messages from this view: optimistic, then confirmed or rolled back. */
  const removeWith = async (label: (n: number) => string, perform: (ids: string[]) => Promise<TaskInfo>) => {
    const visible = get().checked.length ? get().checked : get().selectedId ? [get().selectedId!] : [];
    if (!visible.length) return;
    // targets() reads the view before the rows go; the rows go at once, still inside the key's event, so
    // React renders the next message in that same task (a discrete update) instead of a later one.
    const targets = get().targets();
    hideAndAdvance(visible);
    const ids = await targets;
    if (!ids.length) return;
    const performed = perform(ids);
    track(label(visible.length), visible, performed);
    try {
      await performed;
    } catch (err) {
      for (const id of visible) hidden.delete(id);
      report(err);
      void get().refresh();
    }
  };

  const folderOfRole = (accountId: string, role: FolderRole): Folder | undefined =>
    useApp.getState().folders.find((f) => f.accountId === accountId && f.role === role);

  async function refreshOnce(): Promise<void> {
    const { source, query, items } = get();
    if (query.trim()) return get().search(query);
    const key = sourceKey(source);
    set({ loading: true });
    try {
      const limit = Math.min(MAX_PAGE, Math.max(PAGE, items.length));
      const page = await call('mail.list', {
        ...source,
        threads: usePrefs.getState().threads,
        offset: 0,
        limit,
      });
      if (sourceKey(get().source) !== key || get().query.trim()) return;
      // The core already applied what it reports; ids it no longer lists need no hiding.
      const listed = new Set(page.items.map((m) => m.id));
      for (const id of hidden) if (!listed.has(id)) hidden.delete(id);
      // Rows that did not change keep their object, so the list's memoised rows skip rendering.
      const before = new Map(get().items.map((m) => [m.id, m]));
      const fresh = page.items.filter((m) => !hidden.has(m.id)).map((m) => sameOrNew(before.get(m.id), m));
      const tail =
        get().items.length > limit
          ? get()
              .items.slice(limit)
              .filter((m) => !listed.has(m.id) && !hidden.has(m.id))
          : [];
      const patch: Partial<MailState> = {
        items: [...fresh, ...tail],
        total: page.total - (page.items.length - fresh.length),
      };
      const { selectedId, detail } = get();
      const current = selectedId ? fresh.find((m) => m.id === selectedId) : undefined;
      if (current && detail && (current.isFlagged !== detail.isFlagged || current.isRead !== detail.isRead)) {
        patch.detail = { ...detail, isFlagged: current.isFlagged, isRead: current.isRead };
      }
      set(patch);
    } catch (err) {
      report(err);
    } finally {
      set({ loading: false });
    }
  }

  return {
    source: { role: 'inbox' },
    items: [],
    total: 0,
    loading: false,
    selectedId: null,
    detail: null,
    conversation: [],
    checked: [],
    query: '',
    highlights: [],
    focus: 'list',
    undoStack: [],

    selectSource: async (source) => {
      set({
        source,
        query: '',
        highlights: [],
        selectedId: null,
        detail: null,
        conversation: [],
        items: [],
        checked: [],
        total: 0,
      });
      await get().refresh();
    },

    refresh: () => {
      refreshAgain = true;
      refreshing ??= (async () => {
        while (refreshAgain) {
          refreshAgain = false;
          await refreshOnce();
        }
      })().finally(() => (refreshing = null));
      return refreshing;
    },

    loadMore: async () => {
      const { source, items, total, loading, query } = get();
      if (loading || query.trim() || items.length >= total) return;
      set({ loading: true });
      try {
        const page = await call('mail.list', {
          ...source,
          threads: usePrefs.getState().threads,
          offset: items.length,
          limit: PAGE,
        });
        const have = new Set(get().items.map((m) => m.id));
        set({
          items: [...get().items, ...page.items.filter((m) => !have.has(m.id) && !hidden.has(m.id))],
          total: page.total,
        });
      } catch (err) {
        report(err);
      } finally {
        set({ loading: false });
      }
    },

    open: async (id) => {
      const cached = id ? detailCache.get(id) : undefined;
      // Opening marks read; a message already here is shown read in the same render, not one after.
      const shown = cached && !cached.isRead ? { ...cached, isRead: true } : cached;
      set({
        selectedId: id,
        detail: shown ?? null,
        conversation: shown ? [shown] : [],
        ...(shown !== cached ? { items: get().items.map((m) => (m.id === id ? { ...m, isRead: true } : m)) } : {}),
      });
      if (!id) return;
      // A message opened before its prefetch arrived waits for the core: marked so benchmarks can count them.
      if (!cached) performance.mark('mail:detail-miss');
      const { items } = get();
      const index = items.findIndex((m) => m.id === id);
      prefetch([
        items[index + 1]?.id,
        items[index + 2]?.id,
        items[index - 1]?.id,
        items[index + 3]?.id,
        items[index + 4]?.id,
      ]);
      try {
        const detail = cached ?? (await fetchDetail(id));
        if (get().selectedId !== id) return;
        if (!cached) set({ detail, conversation: [detail] });
        if (usePrefs.getState().threads && (items[index]?.threadCount ?? 1) > 1) {
          const conversation = await call('mail.thread', { threadId: detail.threadId });
          if (get().selectedId === id) set({ conversation });
        }
        if (!detail.isRead) {
          if (!cached)
            set({
              items: get().items.map((m) => (m.id === id ? { ...m, isRead: true } : m)),
              detail: { ...detail, isRead: true },
            });
          remember({ ...detail, isRead: true });
          await call('mail.setFlags', { ids: [id], read: true });
        }
      } catch (err) {
        report(err);
      }
    },

    move: (step) => {
      const { items, selectedId } = get();
      if (!items.length) return;
      const index = items.findIndex((m) => m.id === selectedId);
      const next = index < 0 ? 0 : Math.min(items.length - 1, Math.max(0, index + step));
      if (items[next] && items[next].id !== selectedId) void get().open(items[next].id);
      if (next >= items.length - 20) void get().loadMore();
    },

    toggleCheck: (id) => {
      const target = id ?? get().selectedId;
      if (!target) return;
      const { checked } = get();
      set({ checked: checked.includes(target) ? checked.filter((c) => c !== target) : [...checked, target] });
    },
    clearChecks: () => set({ checked: [] }),
    setFocus: (focus) => set({ focus }),

    search: async (query) => {
      set({ query });
      if (!query.trim()) {
        set({ highlights: [] });
        return get().refresh();
      }
      try {
        const res = await call('mail.search', { query, limit: 500 });
        if (get().query === query)
          set({
            items: res.items.filter((m) => !hidden.has(m.id)),
            total: res.total,
            highlights: res.highlights,
          });
      } catch (err) {
        report(err);
      }
    },

    setThreads: async (threads) => {
      await usePrefs.getState().setPref('threads', threads);
      set({ selectedId: null, detail: null, conversation: [], checked: [] });
      await get().refresh();
    },

    targets: async () => {
      const { checked, selectedId, items } = get();
      const visible = checked.length ? checked : selectedId ? [selectedId] : [];
      if (!usePrefs.getState().threads) return visible;
      // In conversation view an action applies to every message of the conversation in this folder.
      const out: string[] = [];
      for (const id of visible) {
        const row = items.find((m) => m.id === id);
        if (!row || row.threadCount <= 1) {
          out.push(id);
          continue;
        }
        const members = await call('mail.thread', { threadId: row.threadId });
        out.push(...members.filter((m) => m.folderId === row.folderId).map((m) => m.id));
        if (!out.includes(id)) out.push(id);
      }
      return out;
    },

    archive: () =>
      removeWith(
        (n) => (n > 1 ? `Archived ${n}` : 'Archived'),
        (ids) => call('mail.archive', { ids }),
      ),
    remove: () =>
      removeWith(
        (n) => (n > 1 ? `Deleted ${n}` : 'Deleted'),
        (ids) => call('mail.delete', { ids }),
      ),
    spam: () =>
      removeWith(
        (n) => (n > 1 ? `Marked ${n} as spam` : 'Marked as spam'),
        async (ids) => {
          const accountId = get().items.find((m) => ids.includes(m.id))?.accountId ?? get().detail?.accountId;
          const junk = accountId ? folderOfRole(accountId, 'junk') : undefined;
          if (!junk) throw new Error('This account has no Junk folder');
          return call('mail.move', { ids, folderId: junk.id });
        },
      ),
    moveTo: (folderId) => {
      const name = useApp.getState().folders.find((f) => f.id === folderId)?.name ?? 'folder';
      return removeWith(
        (n) => `Moved ${n > 1 ? `${n} ` : ''}to ${name}`,
        (ids) => call('mail.move', { ids, folderId }),
      );
    },

    toggleFlag: async () => {
      const ids = await get().targets();
      if (!ids.length) return;
      const visible = get().checked.length ? get().checked : [get().selectedId!];
      const rows = get().items.filter((m) => visible.includes(m.id));
      const flagged = !(rows.length ? rows.every((m) => m.isFlagged) : (get().detail?.isFlagged ?? false));
      await applyFlags(ids, visible, { flagged }, flagged ? 'Flagged' : 'Unflagged');
    },
    markRead: async (read) => {
      const ids = await get().targets();
      if (!ids.length) return;
      const visible = get().checked.length ? get().checked : [get().selectedId!];
      await applyFlags(ids, visible, { read }, read ? 'Marked read' : 'Marked unread');
    },

    undo: async () => {
      const entry = get().undoStack[get().undoStack.length - 1];
      if (!entry) {
        useApp.getState().showToast('Nothing to undo');
        return;
      }
      set({ undoStack: get().undoStack.slice(0, -1) });
      try {
        const taskIds = await entry.tasks;
        if (!taskIds.length) {
          useApp.getState().showToast(`${entry.label} cannot be undone`);
          return;
        }
        for (const id of [...taskIds].reverse()) await call('tasks.undo', { id });
        for (const id of entry.ids) {
          hidden.delete(id);
          detailCache.delete(id);
        }
        await get().refresh();
        const back = entry.ids.find((id) => get().items.some((m) => m.id === id));
        if (back) void get().open(back);
        useApp.getState().showToast(`Undone: ${entry.label}`);
      } catch (err) {
        report(err);
      }
    },
  };

  async function applyFlags(
    ids: string[],
    visible: string[],
    flags: { read?: boolean; flagged?: boolean },
    label: string,
  ) {
    const patch = (m: MessageSummary) =>
      visible.includes(m.id) || ids.includes(m.id)
        ? { ...m, isRead: flags.read ?? m.isRead, isFlagged: flags.flagged ?? m.isFlagged }
        : m;
    const detail = get().detail;
    set({
      items: get().items.map(patch),
      detail: detail && ids.includes(detail.id) ? { ...detail, ...patchFlags(detail, flags) } : detail,
    });
    for (const id of ids) detailCache.delete(id);
    const performed = call('mail.setFlags', { ids, ...flags });
    track(ids.length > 1 && visible.length > 1 ? `${label} ${visible.length}` : label, [], performed);
    try {
      await performed;
    } catch (err) {
      report(err);
      void get().refresh();
    }
  }
});

function patchFlags(d: MessageDetail, flags: { read?: boolean; flagged?: boolean }): Partial<MessageDetail> {
  return { isRead: flags.read ?? d.isRead, isFlagged: flags.flagged ?? d.isFlagged };
}
