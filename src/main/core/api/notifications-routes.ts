import type { Core } from '../core';
import { readNotificationSettings } from '../notifications/settings';
import { badRequest } from '../util/errors';
import type { Router } from './http';

function intParam(value: string | null, name: string, fallback: number, max: number): number {
  if (value === null || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max) throw badRequest(`'${name}' must be an integer from 0 to ${max}`);
  return n;
}

/**
 * The notification ledger over REST ("why was I not told about this mail?") and the tray's state
 * for headless mode: the unread count of the inboxes and whether notifications are paused.
 */
export function notificationsRoutes(router: Router, core: Core): void {
  const tray = () => {
    const settings = readNotificationSettings(core.store);
    const pausedUntil = settings.pausedUntil !== null && settings.pausedUntil > core.now() ? settings.pausedUntil : null;
    return { unreadInboxCount: core.store.mail.unreadInboxCount(), notificationsPausedUntil: pausedUntil };
  };
  router
    .add('GET', '/notifications', (req) => {
      const top = intParam(req.query.get('top') ?? req.query.get('$top'), 'top', 100, 1000) || 100;
      const skip = intParam(req.query.get('skip') ?? req.query.get('$skip'), 'skip', 0, 1_000_000);
      const itemId = req.query.get('itemId') ?? undefined;
      const value = core.poller.ledger.list(top, skip, { itemId }).map((e) => ({
        id: e.id,
        trigger: e.trigger,
        itemId: e.itemId,
        accountId: e.accountId,
        decision: e.decision,
        reason: e.reason,
        title: e.title,
        body: e.body,
        time: new Date(e.createdAt).toISOString(),
      }));
      return { status: 200, body: { value, ...tray() } };
    })
    .add('GET', '/tray', () => ({ status: 200, body: tray() }))
    .add('GET', '/notifications/settings', async () => ({ status: 200, body: await core.handle('notifications.getSettings', {}) }))
    .add('PATCH', '/notifications/settings', async (req) => ({ status: 200, body: await core.handle('notifications.setSettings', req.body ?? {}) }))
    .add('POST', '/notifications/pause', async (req) => {
      const minutes = (req.body as { minutes?: unknown } | undefined)?.minutes ?? 60;
      return { status: 200, body: await core.handle('notifications.pause', { minutes: typeof minutes === 'string' ? Number(minutes) : minutes }) };
    });
}
