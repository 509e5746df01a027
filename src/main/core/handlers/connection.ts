import type { Core } from '../core';
import { checkDav, type DavEndpointCheck } from '../providers/dav';
import { testAccountConnection } from '../providers/imap/connection-test';
import { PimlicoError } from '../util/errors';
import type { HandlerGroup } from './types';

type SecretLookup = (name: string) => string | undefined;

/** IMAP and SMTP from the IMAP part, then CalDAV and CardDAV (when configured) from the DAV part. */
async function testAll(settings: Record<string, unknown>, secret: SecretLookup) {
  const mail = await testAccountConnection(settings, secret);
  const dav: DavEndpointCheck[] = [];
  for (const service of ['caldav', 'carddav'] as const) {
    const ep = settings[service] as { url: string; user: string; trustedCertFingerprint?: string } | undefined;
    if (ep) dav.push(await checkDav(service, ep, secret(`${service}.password`)));
  }
  const checks = [...mail.checks, ...dav];
  return { ok: checks.every((c) => c.ok), checks };
}

export function connectionHandlers(core: Core): HandlerGroup<'accounts.testConnection'> {
  return {
    'accounts.testConnection': async ({ accountId, account }) => {
      if (accountId) {
        const existing = core.accounts.get(accountId);
        if (existing.kind !== 'imap') throw new PimlicoError('Unsupported', `A ${existing.kind} account has no server settings to test`);
        return testAll(existing.settings, (name) => core.accounts.secret(existing.id, name));
      }
      if (!account || account.kind !== 'imap') throw new PimlicoError('Unsupported', 'Only IMAP/SMTP/DAV settings can be tested this way');
      const input = account as unknown as Record<string, unknown>;
      const secret: SecretLookup = (name) => {
        const [section, key] = name.split('.') as [string, string];
        const value = (input[section] as Record<string, unknown> | undefined)?.[key];
        return typeof value === 'string' ? value : undefined;
      };
      return testAll(input, secret);
    },
  };
}
