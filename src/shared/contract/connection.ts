import { z } from 'zod';
import { call } from './define';
import { Id, NewAccount } from '../types';

export const ConnectionStep = z.enum(['dns', 'tcp', 'tls', 'auth', 'capability']);

export const ConnectionCheck = z.object({
  service: z.enum(['imap', 'smtp', 'caldav', 'carddav']),
  ok: z.boolean(),
  /** The first step that failed; null when the service is reachable and usable. */
  failedStep: ConnectionStep.nullable(),
  message: z.string(),
  /** SHA-256 of the server certificate: shown so the user can trust a self-signed one. */
  certFingerprint: z.string().nullable(),
  capabilities: z.array(z.string()),
});
export type ConnectionCheck = z.infer<typeof ConnectionCheck>;

export const connectionCalls = {
  'accounts.testConnection': call(
    z
      .object({ accountId: Id.optional(), account: NewAccount.optional() })
      .refine((r) => (r.accountId === undefined) !== (r.account === undefined), 'Give either accountId or account'),
    z.object({ ok: z.boolean(), checks: z.array(ConnectionCheck) }),
    'Try the servers of new account settings (or of an existing account) and say which step failed: DNS, TCP, TLS, login, capability.',
  ),
} as const;
