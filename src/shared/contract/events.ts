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
  /** A device-code sign-in is waiting: show the code and where to enter it until it expires. */
  'accounts.deviceCode': z.object({
    accountId: z.string(),
    userCode: z.string(),
    verificationUri: z.string(),
    message: z.string(),
    /** Epoch ms. */
    expiresAt: z.number(),
  }),
  notification: z.object({
    id: z.string(),
    title: z.string(),
    body: z.string(),
    /** What a click opens, e.g. { kind: "message", id }; for an event, startUtc names the occurrence. */
    target: z.object({ kind: z.enum(['message', 'event', 'approval']), id: z.string(), startUtc: z.number().optional() }).nullable(),
  }),
  /** Sent by the desktop shell only (menu, tray, notification click, mailto: link): something the UI should do. */
  'shell.command': z.discriminatedUnion('command', [
    z.object({ command: z.literal('open'), target: z.object({ kind: z.enum(['message', 'event', 'approval']), id: z.string(), startUtc: z.number().optional() }) }),
    z.object({ command: z.literal('compose'), mailto: z.string().nullable() }),
    z.object({ command: z.literal('view'), view: z.enum(['mail', 'calendar', 'contacts', 'settings']) }),
    z.object({ command: z.literal('sync') }),
  ]),
} as const;

export type PushEventName = keyof typeof pushEvents;
export type PushEventPayload<K extends PushEventName> = z.infer<(typeof pushEvents)[K]>;
