import type { Core } from '../core';
import { readNotificationSettings, writeNotificationSettings } from '../notifications/settings';
import type { HandlerGroup } from './types';

export function automationHandlers(core: Core): HandlerGroup<
  | 'notifications.ledger'
  | 'notifications.getSettings'
  | 'notifications.setSettings'
  | 'notifications.pause'
  | 'rules.list'
  | 'rules.create'
  | 'rules.update'
  | 'rules.delete'
  | 'rules.test'
  | 'rules.runs'
  | 'approvals.list'
  | 'approvals.send'
  | 'approvals.offered'
  | 'approvals.respond'
> {
  const settingsChanged = () => core.events.emit('store.changed', { entities: ['settings'] });
  return {
    'notifications.ledger': ({ limit, offset }) => core.poller.ledger.list(limit, offset),
    'notifications.getSettings': () => readNotificationSettings(core.store),
    'notifications.setSettings': (patch) => {
      const next = writeNotificationSettings(core.store, patch);
      settingsChanged();
      return next;
    },
    'notifications.pause': ({ minutes }) => {
      const next = writeNotificationSettings(core.store, { pausedUntil: minutes > 0 ? core.now() + minutes * 60_000 : null });
      settingsChanged();
      return { pausedUntil: next.pausedUntil };
    },
    'rules.list': () => core.poller.rules.list(),
    'rules.create': (input) => core.poller.rules.create(input),
    'rules.update': ({ id, patch }) => core.poller.rules.update(id, patch),
    'rules.delete': ({ id }) => {
      core.poller.rules.delete(id);
      return { ok: true as const };
    },
    'rules.test': ({ rule, limit }) => core.poller.rules.test(rule, limit),
    'rules.runs': ({ ruleId, limit }) => core.poller.rules.runs(ruleId, limit),
    'approvals.list': () => core.poller.approvals.list(),
    'approvals.send': async (req) => {
      const out = await core.poller.approvals.send(req);
      const accountId = core.store.outbox.get(out.outboxId)?.accountId;
      if (accountId) void core.outbox.run(accountId);
      return out;
    },
    'approvals.offered': ({ messageId }) => {
      const offered = core.poller.approvals.offered(messageId);
      return offered && { subscriptionId: offered.id, replyTo: offered.replyTo, options: offered.options };
    },
    'approvals.respond': async ({ messageId, option }) => {
      const out = await core.poller.approvals.respond(messageId, option);
      const accountId = core.store.mail.summary(messageId)?.accountId;
      if (accountId) void core.outbox.run(accountId);
      return out;
    },
  };
}
