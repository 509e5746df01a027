import type { AccountKind } from '../../../shared/types';
import { createGraphProvider } from './graph';
import { createImapProvider } from './imap';
import { createLocalProvider } from './local';
import type { ProviderFactory } from './types';

/** Provider factories by account kind. Server-backed kinds register here as they are built. */
export const defaultProviders: Partial<Record<AccountKind, ProviderFactory>> = {
  local: createLocalProvider,
  imap: createImapProvider,
  graph: createGraphProvider,
};
