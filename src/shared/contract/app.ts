import { z } from 'zod';
import { call } from './define';
import { Account, Id, NewAccount, SyncResult, TaskInfo } from '../types';

export const appCalls = {
  'app.info': call(
    z.object({}),
    z.object({
      version: z.string(),
      mode: z.enum(['electron', 'headless']),
      dataDir: z.string(),
      unreadInboxCount: z.number().int(),
    }),
    'Version, runtime mode and the unread count of all inboxes.',
  ),
  'settings.get': call(z.object({}), z.record(z.string(), z.unknown()), 'All user settings.'),
  'settings.set': call(
    z.object({ key: z.string().min(1).max(200), value: z.unknown() }),
    z.object({ ok: z.literal(true) }),
    'Change one user setting.',
  ),
  'accounts.list': call(z.object({}), z.array(Account), 'All accounts, default first.'),
  'accounts.create': call(NewAccount, z.object({ id: Id }), 'Add an account; secrets go to the keychain.'),
  'accounts.remove': call(z.object({ id: Id }), z.object({ ok: z.literal(true) }), 'Remove an account and its cache.'),
  'accounts.setDefault': call(z.object({ id: Id }), z.object({ ok: z.literal(true) }), 'Make an account the default.'),
  'accounts.sync': call(z.object({ id: Id }), SyncResult, 'Run one sync cycle now.'),
  'tasks.undo': call(z.object({ id: Id }), TaskInfo, 'Undo a task (queues its inverse).'),
  'tasks.list': call(z.object({ limit: z.number().int().min(1).max(500).default(50) }), z.array(TaskInfo), 'Recent tasks.'),
} as const;
