import { NotificationSettings } from '../../../shared/contract/automation';
import type { Store } from '../store';

export const NOTIFICATION_SETTINGS_KEY = 'notifications';

/** Reads the settings with defaults filled in; a damaged value falls back to defaults rather than failing the poller. */
export function readNotificationSettings(store: Store): NotificationSettings {
  const raw = store.settings.get<unknown>(NOTIFICATION_SETTINGS_KEY, {});
  const parsed = NotificationSettings.safeParse(raw ?? {});
  return parsed.success ? parsed.data : NotificationSettings.parse({});
}

export function writeNotificationSettings(store: Store, patch: Partial<NotificationSettings>): NotificationSettings {
  const next = NotificationSettings.parse({ ...readNotificationSettings(store), ...patch });
  store.settings.set(NOTIFICATION_SETTINGS_KEY, next);
  return next;
}

export function effectiveTimeZone(settings: NotificationSettings): string {
  if (settings.timeZone) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: settings.timeZone });
      return settings.timeZone;
    } catch {
      // An unknown zone must not silence notifications: fall back to the system's.
    }
  }
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Minutes since local midnight at `at` in `timeZone`. */
export function localMinutes(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const h = Number(parts.find((p) => p.type === 'hour')?.value ?? 0);
  const m = Number(parts.find((p) => p.type === 'minute')?.value ?? 0);
  return h * 60 + m;
}

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Inside do-not-disturb hours; a range like 22:00-07:00 wraps midnight. */
export function inQuietHours(settings: NotificationSettings, at: number): boolean {
  if (!settings.quietHours.enabled) return false;
  const start = toMinutes(settings.quietHours.start);
  const end = toMinutes(settings.quietHours.end);
  if (start === end) return false;
  const now = localMinutes(at, effectiveTimeZone(settings));
  return start < end ? now >= start && now < end : now >= start || now < end;
}
