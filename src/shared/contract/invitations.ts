import { z } from 'zod';
import { call } from './define';
import { Id } from '../types';

export const InvitationResponse = z.enum(['accept', 'tentative', 'decline']);

export const invitationCalls = {
  'events.respond': call(
    z.object({ id: Id, response: InvitationResponse, comment: z.string().max(10_000).default('') }),
    z.object({ ok: z.literal(true) }),
    'Answer a meeting invitation (accept, tentatively accept or decline); the organizer is told. A declined meeting leaves the calendar.',
  ),
} as const;
