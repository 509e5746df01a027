import { z } from 'zod';
import { call } from './define';
import { Account, Id, NewAccount, SyncResult, TaskInfo } from '../types';

const ServiceCredentials = z
  .object({
    password: z.string().min(1).max(2000).optional(),
    /** SHA-256 fingerprint the user chose to trust; null forgets a trusted one. */
    trustedCertFingerprint: z.string().min(1).max(200).nullable().optional(),
  })
  .strict();

export const AccountUpdate = z
  .object({
    id: Id,
    displayName: z.string().trim().min(1).max(200).optional(),
    imap: ServiceCredentials.optional(),
    smtp: ServiceCredentials.optional(),
    caldav: ServiceCredentials.optional(),
    carddav: ServiceCredentials.optional(),
  })
  .strict();
export type AccountUpdate = z.infer<typeof AccountUpdate>;

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
  'accounts.update': call(
    AccountUpdate,
    z.object({ ok: z.literal(true) }),
    'Change a saved account: its name, and per service a new password or a trusted certificate fingerprint. The next sync uses them.',
  ),
  'accounts.signIn': call(
    z.object({ id: Id, mode: z.enum(['interactive', 'deviceCode']).optional() }),
    z.object({ username: z.string() }),
    'Sign a Microsoft account in: in the system browser (desktop app) or with a device code (pushed as accounts.deviceCode). Answers when the sign-in is done.',
  ),
  'api.status': call(
    z.object({}),
    z.object({
      enabled: z.boolean(),
      port: z.number().int(),
      running: z.boolean(),
      url: z.string().nullable(),
      error: z.string().nullable(),
      token: z.string(),
    }),
    'The local REST API: whether it is switched on and listening, its address and its bearer token.',
  ),
  'accounts.sync': call(z.object({ id: Id }), SyncResult, 'Run one sync cycle now.'),
  'tasks.undo': call(z.object({ id: Id }), TaskInfo, 'Undo a task (queues its inverse).'),
  'tasks.list': call(z.object({ limit: z.number().int().min(1).max(500).default(50) }), z.array(TaskInfo), 'Recent tasks.'),
} as const;
