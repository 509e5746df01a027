import { z } from 'zod';

/** Events pushed from core to every UI, declared like calls so both ends validate them. */
export const pushEvents = {
  'store.changed': z.object({
    entities: z.array(z.enum(['accounts', 'folders', 'mail', 'events', 'contacts', 'outbox', 'tasks', 'settings'])),
    accountId: z.string().optional(),
  }),
  'sync.progress': z.object({
    accountId: z.string(),
    phase: z.string(),
    done: z.number(),
    total: z.number(),
  }),
  notification: z.object({
    id: z.string(),
    title: z.string(),
    body: z.string(),
    /** What a click opens, e.g. { kind: "message", id } */
    target: z.object({ kind: z.enum(['message', 'event', 'approval']), id: z.string() }).nullable(),
  }),
} as const;

export type PushEventName = keyof typeof pushEvents;
export type PushEventPayload<K extends PushEventName> = z.infer<(typeof pushEvents)[K]>;
