import { create } from 'zustand';
import type { Account, Folder, TaskInfo } from '../../shared/types';
import { call } from '../lib/client';

export type View = 'mail' | 'calendar' | 'contacts' | 'settings' | 'automation';

interface Toast {
  id: number;
  text: string;
  /** A task that z (or the Undo button) reverts. */
  undoTaskId?: string;
  error?: boolean;
}

interface AppState {
  view: View;
  accounts: Account[];
  folders: Folder[];
  unreadInboxCount: number;
  toast: Toast | null;
  setView(view: View): void;
  refreshAccounts(): Promise<void>;
  showToast(text: string, opts?: { undoTaskId?: string; error?: boolean }): void;
  clearToast(): void;
  undo(taskId?: string): Promise<void>;
  reportError(err: unknown): void;
}

let toastSeq = 0;

export const useApp = create<AppState>((set, get) => ({
  view: 'mail',
  accounts: [],
  folders: [],
  unreadInboxCount: 0,
  toast: null,
  setView: (view) => set({ view }),
  refreshAccounts: async () => {
    const [accounts, folders, info] = await Promise.all([call('accounts.list', {}), call('folders.list', {}), call('app.info', {})]);
    // Unchanged lists keep their identity: the sidebar and pickers then have nothing to render again.
    const same = <T,>(old: T, fresh: T) => (JSON.stringify(old) === JSON.stringify(fresh) ? old : fresh);
    set({ accounts: same(get().accounts, accounts), folders: same(get().folders, folders), unreadInboxCount: info.unreadInboxCount });
    document.title = info.unreadInboxCount ? `(${info.unreadInboxCount}) Pimlico` : 'Pimlico';
  },
  showToast: (text, opts) => set({ toast: { id: ++toastSeq, text, ...opts } }),
  clearToast: () => set({ toast: null }),
  undo: async (taskId) => {
    const id = taskId ?? get().toast?.undoTaskId;
    if (!id) return;
    try {
      await call('tasks.undo', { id });
      set({ toast: { id: ++toastSeq, text: 'Undone' } });
    } catch (err) {
      get().reportError(err);
    }
  },
  reportError: (err) => set({ toast: { id: ++toastSeq, text: err instanceof Error ? err.message : String(err), error: true } }),
}));

/** Shows the toast for a finished action, with Undo when the task can be undone. */
export function toastForTask(text: string, task: TaskInfo): void {
  useApp.getState().showToast(text, task.undoable ? { undoTaskId: task.id } : undefined);
}
