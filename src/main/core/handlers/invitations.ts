import type { Core } from '../core';
import { PimlicoError } from '../util/errors';
import type { HandlerGroup } from './types';

/** A provider that can answer invitations on the server (Graph: accept/tentativelyAccept/decline). */
interface RespondingProvider {
  respondToInvitation(eventId: string, response: 'accept' | 'tentative' | 'decline', comment?: string): Promise<void>;
}

function canRespond(p: unknown): p is RespondingProvider {
  return typeof p === 'object' && p !== null && typeof (p as Partial<RespondingProvider>).respondToInvitation === 'function';
}

export function invitationHandlers(core: Core): HandlerGroup<'events.respond'> {
  return {
    'events.respond': async ({ id, response, comment }) => {
      const event = core.calendar.get(id);
      const provider = core.provider(event.accountId);
      if (!canRespond(provider)) throw new PimlicoError('Unsupported', 'Answering invitations from Pimlico is available for Outlook.com / Microsoft 365 accounts');
      await provider.respondToInvitation(event.id, response, comment);
      return { ok: true as const };
    },
  };
}
