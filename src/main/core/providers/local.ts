import type { AccountProvider, ProviderContext } from './types';
import { SendError } from './types';

/**
 * The built-in Local account: no server, so every remote effect is a no-op and the store is the
 * whole truth. A send cannot happen without a real account, so it stays queued in the outbox.
 */
export function createLocalProvider(_ctx: ProviderContext): AccountProvider {
  return {
    canSend: false,
    sync: async () => ({}),
    applyTask: async () => undefined,
    send: async () => {
      throw new SendError('A Local account has no mail server; add an IMAP or Outlook.com account to send.', 'before-accept', false);
    },
    close: async () => undefined,
  };
}
