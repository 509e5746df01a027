import type { FolderRole } from '../../shared/types';
import { useApp } from '../app/store';
import { useCompose } from '../compose/store';
import { useMail } from '../mail/store';
import { usePrefs } from '../mail/prefs';
import type { Action } from './registry';
import { useShortcuts } from './registry';
import { usePicker } from './picker';

const mail = () => useMail.getState();

function inMail(): void {
  if (useApp.getState().view !== 'mail') useApp.getState().setView('mail');
}

function goRole(role: FolderRole): void {
  inMail();
  void mail().selectSource({ role });
}

/** The message a reply/forward answers: the open one, or the last of the open conversation. */
function currentMessage() {
  const { detail, conversation } = mail();
  return conversation.length > 1 ? conversation[conversation.length - 1]! : detail;
}

export function openMovePicker(): void {
  const m = mail();
  const accountId = m.items.find((i) => i.id === (m.checked[0] ?? m.selectedId))?.accountId ?? m.detail?.accountId;
  if (!accountId) {
    useApp.getState().showToast('Select a message to move');
    return;
  }
  const folders = useApp.getState().folders.filter((f) => f.accountId === accountId && f.role !== 'outbox' && f.role !== 'drafts');
  usePicker.getState().show({
    title: 'Move to folder',
    placeholder: 'Type a folder name',
    items: folders.map((f) => ({ id: f.id, label: f.name, hint: f.path !== f.name ? f.path : undefined })),
    onPick: (id) => void mail().moveTo(id),
  });
}

function focusSearch(): void {
  const focus = () => {
    const input = document.querySelector<HTMLInputElement>('#mail-search');
    input?.focus();
    input?.select();
  };
  // At once when the box is on screen, so the very next key typed lands in it.
  if (useApp.getState().view === 'mail') focus();
  else {
    inMail();
    requestAnimationFrame(focus);
  }
}

function escape(): void {
  const shortcuts = useShortcuts.getState();
  if (usePicker.getState().open) return usePicker.getState().hide();
  if (shortcuts.overlayOpen || shortcuts.paletteOpen) {
    shortcuts.setOverlay(false);
    shortcuts.setPalette(false);
    return;
  }
  if (useCompose.getState().open) {
    void useCompose.getState().close();
    return;
  }
  const active = document.activeElement as HTMLElement | null;
  if (active?.id === 'mail-search') {
    if (mail().query) void mail().search('');
    active.blur();
    return;
  }
  if (mail().checked.length) return mail().clearChecks();
  mail().setFocus('list');
}

function undo(): void {
  const compose = useCompose.getState();
  if (compose.pending && !compose.pending.scheduled) {
    void compose.cancelPending();
    return;
  }
  void mail().undo();
}

/** Every action the keyboard, the `?` overlay and the command palette know about. */
export function mailActions(): Action[] {
  const a = (id: string, label: string, group: string, keys: string[], run: () => void, extra: Partial<Action> = {}): Action => ({
    id,
    label,
    group,
    keys,
    run,
    scope: 'mail',
    ...extra,
  });
  return [
    a('mail.next', 'Next message', 'Navigate', ['j', 'down'], () => mail().move(1)),
    a('mail.previous', 'Previous message', 'Navigate', ['k', 'up'], () => mail().move(-1)),
    a('mail.open', 'Open message', 'Navigate', ['o', 'enter'], () => {
      const m = mail();
      const id = m.selectedId ?? m.items[0]?.id ?? null;
      if (id) void m.open(id);
      m.setFocus('pane');
    }),
    a('mail.back', 'Back to the list', 'Navigate', ['u'], () => mail().setFocus('list')),
    a('mail.select', 'Select or unselect', 'Navigate', ['x'], () => mail().toggleCheck()),
    a('mail.archive', 'Archive', 'Triage', ['e'], () => void mail().archive()),
    a('mail.delete', 'Delete', 'Triage', ['#'], () => void mail().remove()),
    a('mail.spam', 'Report spam', 'Triage', ['!'], () => void mail().spam()),
    a('mail.flag', 'Flag or unflag', 'Triage', ['s'], () => void mail().toggleFlag()),
    a('mail.markUnread', 'Mark unread', 'Triage', ['shift+u'], () => void mail().markRead(false)),
    a('mail.markRead', 'Mark read', 'Triage', ['shift+i'], () => void mail().markRead(true)),
    a('mail.move', 'Move to folder…', 'Triage', ['v'], openMovePicker),
    a('mail.undo', 'Undo', 'Triage', ['z'], undo, { scope: 'global' }),
    a('mail.reply', 'Reply', 'Compose', ['r'], () => void useCompose.getState().start('reply', currentMessage())),
    a('mail.replyAll', 'Reply all', 'Compose', ['a'], () => void useCompose.getState().start('replyAll', currentMessage())),
    a('mail.forward', 'Forward', 'Compose', ['f'], () => void useCompose.getState().start('forward', currentMessage())),
    a('compose.new', 'Compose', 'Compose', ['c'], () => void useCompose.getState().start('new'), { scope: 'global' }),
    a('compose.send', 'Send', 'Compose', ['mod+enter'], () => void useCompose.getState().send(), { scope: 'compose', inInputs: true }),
    a('mail.search', 'Search', 'Navigate', ['/'], focusSearch, { scope: 'global' }),
    a('go.inbox', 'Go to inbox', 'Go to', ['g i'], () => goRole('inbox'), { scope: 'global' }),
    a('go.sent', 'Go to sent', 'Go to', ['g s'], () => goRole('sent'), { scope: 'global' }),
    a('go.drafts', 'Go to drafts', 'Go to', ['g d'], () => goRole('drafts'), { scope: 'global' }),
    a('go.archive', 'Go to archive', 'Go to', ['g a'], () => goRole('archive'), { scope: 'global' }),
    a('go.trash', 'Go to trash', 'Go to', ['g t'], () => goRole('trash'), { scope: 'global' }),
    a('go.calendar', 'Go to calendar', 'Go to', ['g c'], () => useApp.getState().setView('calendar'), { scope: 'global' }),
    a('go.contacts', 'Go to contacts', 'Go to', ['g p'], () => useApp.getState().setView('contacts'), { scope: 'global' }),
    a('app.escape', 'Close', 'General', ['escape'], escape, { scope: 'global', inInputs: true }),
    a('app.help', 'Keyboard shortcuts', 'General', ['?'], () => useShortcuts.getState().setOverlay(!useShortcuts.getState().overlayOpen), { scope: 'global' }),
    a('app.palette', 'Command palette', 'General', ['mod+k'], () => useShortcuts.getState().setPalette(!useShortcuts.getState().paletteOpen), {
      scope: 'global',
      inInputs: true,
    }),
    a('view.threads', 'Toggle conversation view', 'View', ['shift+t'], () => void mail().setThreads(!usePrefs.getState().threads)),
    a('view.density', 'Toggle compact density', 'View', [], () => {
      const p = usePrefs.getState();
      void p.setPref('density', p.density === 'compact' ? 'comfortable' : 'compact');
    }, { scope: 'global' }),
    a('view.theme', 'Cycle theme (system, light, dark)', 'View', [], () => {
      const p = usePrefs.getState();
      void p.setPref('theme', p.theme === 'system' ? 'light' : p.theme === 'light' ? 'dark' : 'system');
    }, { scope: 'global' }),
    a('app.mailSettings', 'Mail settings (signatures, undo send, theme)…', 'View', [], () => {
      inMail();
      usePrefs.getState().setDialogOpen(true);
    }, { scope: 'global' }),
    a('view.zoomIn', 'Zoom in', 'View', ['mod+='], () => void usePrefs.getState().setPref('zoom', Math.min(300, usePrefs.getState().zoom + 10)), { scope: 'global' }),
    a('view.zoomOut', 'Zoom out', 'View', ['mod+-'], () => void usePrefs.getState().setPref('zoom', Math.max(50, usePrefs.getState().zoom - 10)), { scope: 'global' }),
    a('view.zoomReset', 'Reset zoom', 'View', ['mod+0'], () => void usePrefs.getState().setPref('zoom', 100), { scope: 'global' }),
  ];
}
