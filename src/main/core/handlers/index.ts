import type { Core } from '../core';
import { appHandlers } from './app';
import { automationHandlers } from './automation';
import { composeHandlers } from './compose';
import { connectionHandlers } from './connection';
import { invitationHandlers } from './invitations';
import { mailHandlers } from './mail';
import { pimHandlers } from './pim';
import type { Handlers } from './types';

export type { Handlers, HandlerGroup, Handler } from './types';

/** Every contract call's handler; each feature adds its group here (the contract test checks coverage). */
export function createHandlers(core: Core): Handlers {
  return { ...appHandlers(core), ...mailHandlers(core), ...pimHandlers(core), ...composeHandlers(core), ...automationHandlers(core), ...connectionHandlers(core), ...invitationHandlers(core) };
}
