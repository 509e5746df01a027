import type { Core } from '../core';
import { testAccountConnection } from '../providers/imap/connection-test';
import { PimlicoError } from '../util/errors';
import type { HandlerGroup } from './types';

export function connectionHandlers(core: Core): HandlerGroup<'accounts.testConnection'> {
  return {
    'accounts.testConnection': async ({ accountId, account }) => {
      if (accountId) {
        const existing = core.accounts.get(accountId);
        if (existing.kind !== 'imap') throw new PimlicoError('Unsupported', `A ${existing.kind} account has no server settings to test`);
        return testAccountConnection(existing.settings, (name) => core.accounts.secret(existing.id, name));
      }
      if (!account || account.kind !== 'imap') throw new PimlicoError('Unsupported', 'Only IMAP/SMTP settings can be tested this way');
      const input = account as unknown as Record<string, unknown>;
      const secret = (name: string) => {
        const [section, key] = name.split('.') as [string, string];
        const value = (input[section] as Record<string, unknown> | undefined)?.[key];
        return typeof value === 'string' ? value : undefined;
      };
      return testAccountConnection(input, secret);
    },
  };
}
