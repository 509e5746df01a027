import type { ProviderPart } from '../compose';
import type { ProviderContext } from '../types';

/**
 * The CalDAV/CardDAV share of an 'imap'-kind account, or null when the account configures neither.
 * (Placeholder: filled in by the DAV work.)
 */
export function createDavPart(ctx: ProviderContext): ProviderPart | null {
  const settings = ctx.account.settings as { caldav?: unknown; carddav?: unknown };
  if (!settings.caldav && !settings.carddav) return null;
  return {
    name: 'dav',
    handles: () => false,
    sync: async () => ({}),
    applyTask: async () => {},
    close: async () => {},
  };
}
