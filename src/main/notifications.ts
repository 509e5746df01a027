import { Notification } from 'electron';
import type { PushEventPayload } from '../shared/contract';

export type CoreNotification = PushEventPayload<'notification'>;
export type NotificationTarget = NonNullable<CoreNotification['target']>;

export const PAUSE_MS = 60 * 60 * 1000;

/**
 * Shows the core's 'notification' events as OS notifications; a click opens the item. The user can
 * pause them for an hour from the tray.
 */
export class Notifier {
  private pausedUntil = 0;
  // Electron drops click handlers of notifications that were garbage-collected: keep them until done.
  private readonly live = new Set<Notification>();

  constructor(
    private readonly onOpen: (target: NotificationTarget | null) => void,
    private readonly now: () => number = Date.now,
  ) {}

  get paused(): boolean {
    return this.now() < this.pausedUntil;
  }

  pauseForAnHour(): void {
    this.pausedUntil = this.now() + PAUSE_MS;
  }

  resume(): void {
    this.pausedUntil = 0;
  }

  /** Returns whether an OS notification was shown. */
  show(payload: CoreNotification): boolean {
    if (this.paused || !Notification.isSupported()) return false;
    const n = new Notification({ title: payload.title, body: payload.body, silent: false });
    this.live.add(n);
    n.on('click', () => {
      this.live.delete(n);
      this.onOpen(payload.target);
    });
    n.on('close', () => this.live.delete(n));
    n.show();
    return true;
  }
}
