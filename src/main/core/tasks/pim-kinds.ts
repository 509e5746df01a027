import { z } from 'zod';
import type { StoredContact, StoredEvent } from '../store';
import type { TaskKind } from './kinds';

// Events and contacts travel in task payloads as whole snapshots: the remote side needs the
// full item (and its etag), and undo restores the exact previous version.
const EventSnapshot = z.custom<StoredEvent>((v) => typeof v === 'object' && v !== null && 'calendarId' in v && 'uid' in v);
const ContactSnapshot = z.custom<StoredContact>((v) => typeof v === 'object' && v !== null && 'addressBookId' in v && 'uid' in v);

export const PutEventPayload = z.object({ event: EventSnapshot, previous: EventSnapshot.nullable() });
export type PutEventPayload = z.infer<typeof PutEventPayload>;
export const DeleteEventPayload = z.object({ event: EventSnapshot });
export type DeleteEventPayload = z.infer<typeof DeleteEventPayload>;
export const PutContactPayload = z.object({ contact: ContactSnapshot, previous: ContactSnapshot.nullable() });
export type PutContactPayload = z.infer<typeof PutContactPayload>;
export const DeleteContactPayload = z.object({ contact: ContactSnapshot });
export type DeleteContactPayload = z.infer<typeof DeleteContactPayload>;

export const putEvent: TaskKind<PutEventPayload> = {
  name: 'pim.putEvent',
  entities: ['events'],
  schema: PutEventPayload,
  applyLocal(store, { event, previous }) {
    store.pim.upsertEvent(event);
    return previous
      ? [{ kind: 'pim.putEvent', payload: { event: previous, previous: event } }]
      : [{ kind: 'pim.deleteEvent', payload: { event } }];
  },
};

export const deleteEvent: TaskKind<DeleteEventPayload> = {
  name: 'pim.deleteEvent',
  entities: ['events'],
  schema: DeleteEventPayload,
  applyLocal(store, { event }) {
    store.pim.removeEvent(event.id);
    // Restoring after a remote delete creates it again on the server, so the old etag no longer applies.
    return [{ kind: 'pim.putEvent', payload: { event: { ...event, etag: null }, previous: null } }];
  },
};

export const putContact: TaskKind<PutContactPayload> = {
  name: 'pim.putContact',
  entities: ['contacts'],
  schema: PutContactPayload,
  applyLocal(store, { contact, previous }) {
    store.pim.upsertContact(contact);
    return previous
      ? [{ kind: 'pim.putContact', payload: { contact: previous, previous: contact } }]
      : [{ kind: 'pim.deleteContact', payload: { contact } }];
  },
};

export const deleteContact: TaskKind<DeleteContactPayload> = {
  name: 'pim.deleteContact',
  entities: ['contacts'],
  schema: DeleteContactPayload,
  applyLocal(store, { contact }) {
    store.pim.removeContact(contact.id);
    return [{ kind: 'pim.putContact', payload: { contact: { ...contact, etag: null }, previous: null } }];
  },
};

export const pimTaskKinds = [putEvent, deleteEvent, putContact, deleteContact];
