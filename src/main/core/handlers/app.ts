import type { PushEventPayload } from '../../../shared/contract';
import type { Core } from '../core';
import { wantedApi } from '../api/api-settings';
import { loadApiToken } from '../config';
import { signInAuthority, signInGraphAccount } from '../providers/graph/auth';
import { taskInfo } from '../store';
import { PimlicoError } from '../util/errors';
import type { HandlerGroup } from './types';

export function appHandlers(core: Core): HandlerGroup<
  'app.info' | 'settings.get' | 'settings.set' | 'accounts.list' | 'accounts.create' | 'accounts.remove' | 'accounts.setDefault' | 'accounts.update' | 'accounts.signIn' | 'api.status' | 'accounts.sync' | 'tasks.undo' | 'tasks.list'
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
    'accounts.update': async (req) => {
      core.accounts.update(req);
      await core.reloadAccount(req.id);
      return { ok: true as const };
    },
    'accounts.signIn': async ({ id, mode }) => {
      const account = core.accounts.get(id);
      if (account.kind !== 'graph') throw new PimlicoError('BadRequest', 'Only Microsoft (Outlook.com / Microsoft 365) accounts sign in this way');
      const openExternal = core.options.openExternal;
      const chosen = mode ?? (openExternal ? 'interactive' : 'deviceCode');
      if (chosen === 'interactive' && !openExternal) {
        throw new PimlicoError('Unsupported', 'Browser sign-in needs the desktop app; here, sign in with a device code');
      }
      // A second request while one is pending (another window, a reopened screen) joins it and is shown its code again.
      const running = pendingSignIns.get(id);
      if (running) {
        if (running.lastCode) core.events.emit('accounts.deviceCode', running.lastCode);
        return running.done;
      }
      const authority = signInAuthority(account.settings);
      const pending: PendingSignIn = { lastCode: null, done: Promise.resolve({ username: '' }) };
      pending.done = (async () => {
        try {
          const result = await signInGraphAccount(
            core,
            id,
            chosen === 'interactive' && openExternal
              ? { mode: 'interactive', openBrowser: (url) => openExternal(authorityUrl(url, authority)) }
              : {
                  mode: 'deviceCode',
                  onCode: (info) => {
                    pending.lastCode = {
                      accountId: id,
                      userCode: info.userCode,
                      verificationUri: info.verificationUri,
                      message: info.message,
                      expiresAt: core.now() + info.expiresIn * 1000,
                    };
                    core.events.emit('accounts.deviceCode', pending.lastCode);
                  },
                },
          );
          // The provider built before the sign-in holds no tokens: the next sync starts from the new cache.
          await core.reloadAccount(id);
          core.events.emit('store.changed', { entities: ['accounts'], accountId: id });
          return { username: result.username };
        } finally {
          pendingSignIns.delete(id);
        }
      })();
      pendingSignIns.set(id, pending);
      return pending.done;
    },
    'api.status': () => {
      const wanted = wantedApi(core);
      const running = core.apiState.running;
      const port = core.apiState.url ? Number(new URL(core.apiState.url).port) : wanted.port;
      return {
        enabled: core.options.mode === 'headless' ? true : wanted.enabled,
        port,
        running,
        url: core.apiState.url,
        error: core.apiState.error,
        token: loadApiToken(core.options.dataDir),
      };
    },
    'accounts.sync': ({ id }) => {
      core.accounts.get(id);
      return core.sync.syncNow(id);
    },
    'tasks.undo': ({ id }) => core.tasks.undo(id),
    'tasks.list': ({ limit }) => core.store.tasks.recent(limit).map(taskInfo),
  };
}

interface PendingSignIn {
  lastCode: PushEventPayload<'accounts.deviceCode'> | null;
  done: Promise<{ username: string }>;
}

/** Sign-ins waiting for the user, by account id (account ids are unique across cores). */
const pendingSignIns = new Map<string, PendingSignIn>();

/**
 * The browser is opened only at the sign-in authority, over https: whatever MSAL hands back, the
 * shell never opens another site or scheme on the core's say-so.
 */
export function authorityUrl(url: string, authority: string): string {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new PimlicoError('BadRequest', 'The sign-in address is not a valid URL');
  }
  const expected = new URL(authority);
  if (target.protocol !== 'https:' || target.origin !== expected.origin) {
    throw new PimlicoError('Forbidden', `Refusing to open ${target.origin}: sign-in happens only at ${expected.origin}`);
  }
  return target.toString();
}
