import { z } from 'zod';
import { call } from './define';
import { Draft, EmailAddress, Id } from '../types';

export const Recipient = EmailAddress.extend({
  /** Where the suggestion came from: an address book, or mail the user exchanged. */
  source: z.enum(['contact', 'correspondent']),
});
export type Recipient = z.infer<typeof Recipient>;

export const composeCalls = {
  'compose.recipients': call(
    z.object({ query: z.string().max(500), limit: z.number().int().min(1).max(100).default(10) }),
    z.array(Recipient),
    'To/Cc/Bcc suggestions from contacts and past correspondents, best first.',
  ),
  'compose.send': call(
    z.object({
      draft: Draft,
      /** Undo send: the message is held this many seconds, during which outbox.cancel stops it. */
      undoSeconds: z.number().int().min(0).max(30).default(0),
    }),
    z.object({ outboxId: Id, sendAt: z.number().int() }),
    'Queue a message, held for the undo delay or until its send-later time.',
  ),
} as const;
