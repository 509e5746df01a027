import type { PushEventPayload } from '../../shared/contract';
import { useApp } from '../app/store';
import { useMail } from '../mail/store';
import { openEvent } from '../calendar/open-event';
import { onEvent } from '../lib/client';
import { useAutomation } from './store';

type Target = NonNullable<PushEventPayload<'notification'>['target']>;

/** Opens what a notification is about: the message in the mail view, the event (occurrence) in the calendar, or the approval. */
export function openTarget(target: Target): void {
  const app = useApp.getState();
  if (target.kind === 'message') {
    app.setView('mail');
    void useMail.getState().open(target.id);
  } else if (target.kind === 'event') {
    openEvent(target.id, target.startUtc);
    app.setView('calendar');
  } else {
    useAutomation.getState().setTab('approvals');
    app.setView('automation');
  }
}

/**
 * Headless mode: the core's 'notification' push events become Web Notifications in this browser
 * window (the desktop shell shows OS notifications itself). A click focuses the page and opens the item.
 */
export function startNotificationBridge(): () => void {
  const stopShell = onEvent('shell.command', (cmd) => {
    if (cmd.command === 'open') openTarget(cmd.target);
  });
  if (window.pimlico || typeof Notification === 'undefined') return stopShell;
  const stop = onEvent('notification', (n) => {
    if (Notification.permission !== 'granted') return;
    const shown = new Notification(n.title, { body: n.body, tag: n.id });
    shown.onclick = () => {
      window.focus();
      if (n.target) openTarget(n.target);
      shown.close();
    };
  });
  return () => {
    stop();
    stopShell();
  };
}
