import type { Core } from '../core';
import { taskInfo } from '../store';
import type { HandlerGroup } from './types';

export function appHandlers(core: Core): HandlerGroup<
  'app.info' | 'settings.get' | 'settings.set' | 'accounts.list' | 'accounts.create' | 'accounts.remove' | 'accounts.setDefault' | 'accounts.sync' | 'tasks.undo' | 'tasks.list'
> {
  return {
    'app.info': () => ({
      version: core.options.version ?? '0.0.0',
      mode: core.options.mode,
      dataDir: core.options.dataDir,
      unreadInboxCount: core.store.mail.unreadInboxCount(),
    }),
    'settings.get': () => core.store.settings.all(),
    'settings.set': ({ key, value }) => {
      core.store.settings.set(key, value);
      core.events.emit('store.changed', { entities: ['settings'] });
      return { ok: true as const };
    },
    'accounts.list': () => core.accounts.list(),
    'accounts.create': (req) => {
      const created = core.accounts.create(req);
      if (core.options.syncIntervalMs !== 0) core.sync.start(created.id);
      return created;
    },
    'accounts.remove': async ({ id }) => {
      await core.removeAccount(id);
      return { ok: true as const };
    },
    'accounts.setDefault': ({ id }) => {
      core.accounts.setDefault(id);
      return { ok: true as const };
    },
    'accounts.sync': ({ id }) => {
      core.accounts.get(id);
      return core.sync.syncNow(id);
    },
    'tasks.undo': ({ id }) => core.tasks.undo(id),
    'tasks.list': ({ limit }) => core.store.tasks.recent(limit).map(taskInfo),
  };
}
