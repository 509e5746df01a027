import { z } from 'zod';
import type { Store } from '../store';

/**
 * Each kind of user action: how it changes the local cache at once, and which task undoes it.
 * Providers implement the remote side for each kind name.
 */
export interface UndoStep {
  kind: string;
  payload: unknown;
}

export type ChangedEntity = 'mail' | 'folders' | 'events' | 'contacts';

export interface TaskKind<P> {
  readonly name: string;
  /** What the UI must refresh after the local effect. */
  readonly entities: readonly ChangedEntity[];
  readonly schema: z.ZodType<P>;
  /** Applies the effect to the cache and returns the tasks that would undo it (none: not undoable). */
  applyLocal(store: Store, payload: P): UndoStep[];
}

const RemoteItem = z.object({ id: z.string(), remoteFolderId: z.string().nullable(), remoteId: z.string().nullable() });
export type RemoteItem = z.infer<typeof RemoteItem>;

export const SetFlagsPayload = z.object({
  items: z.array(RemoteItem.extend({ read: z.boolean().optional(), flagged: z.boolean().optional() })),
});
export type SetFlagsPayload = z.infer<typeof SetFlagsPayload>;

export const MovePayload = z.object({
  items: z.array(RemoteItem.extend({ fromFolderId: z.string() })),
  toFolderId: z.string(),
});
export type MovePayload = z.infer<typeof MovePayload>;

export const ExpungePayload = z.object({ items: z.array(RemoteItem) });
export type ExpungePayload = z.infer<typeof ExpungePayload>;

/** Per-message flag changes, so undo restores each message's own previous state. */
export const setFlags: TaskKind<SetFlagsPayload> = {
  name: 'mail.setFlags',
  entities: ['mail', 'folders'],
  schema: SetFlagsPayload,
  applyLocal(store, payload) {
    const before = store.mail.flags(payload.items.map((i) => i.id));
    const undoItems: SetFlagsPayload['items'] = [];
    for (const item of payload.items) {
      const prev = before.get(item.id);
      if (!prev) continue;
      store.mail.setFlags([item.id], { read: item.read, flagged: item.flagged });
      undoItems.push({
        ...item,
        read: item.read === undefined ? undefined : prev.read,
        flagged: item.flagged === undefined ? undefined : prev.flagged,
      });
    }
    return [{ kind: 'mail.setFlags', payload: { items: undoItems } }];
  },
};

export const move: TaskKind<MovePayload> = {
  name: 'mail.move',
  entities: ['mail', 'folders'],
  schema: MovePayload,
  applyLocal(store, payload) {
    const present = payload.items.filter((i) => store.mail.exists(i.id));
    store.mail.move(present.map((i) => i.id), payload.toFolderId);
    // Undo sends each message back to where it came from; the remote ref is read again at run time.
    const byOrigin = new Map<string, MovePayload['items']>();
    for (const i of present) byOrigin.set(i.fromFolderId, [...(byOrigin.get(i.fromFolderId) ?? []), i]);
    return [...byOrigin.entries()].map(([origin, items]) => ({
      kind: 'mail.move',
      payload: {
        toFolderId: origin,
        items: items.map((i) => ({ id: i.id, remoteFolderId: null, remoteId: null, fromFolderId: payload.toFolderId })),
      },
    }));
  },
};

/** Permanent deletion (from Trash): not undoable. */
export const expunge: TaskKind<ExpungePayload> = {
  name: 'mail.expunge',
  entities: ['mail', 'folders'],
  schema: ExpungePayload,
  applyLocal(store, payload) {
    store.mail.remove(payload.items.map((i) => i.id));
    return [];
  },
};

export const mailTaskKinds = [setFlags, move, expunge];
