import type { Occurrence } from '../../../shared/types';
import type { Core } from '../core';
import { InvitationService } from '../invitations';
import { badRequest, notFound } from '../util/errors';
import type { HandlerGroup } from './types';

/** iTIP over mail needs the mail service (attachments), the outbox and the calendar together. */
export function invitationsFor(core: Core): InvitationService {
  return new InvitationService({
    store: core.store,
    calendar: core.calendar,
    now: core.now,
    attachment: (messageId, attachmentId) => {
      const accountId = core.store.mail.summary(messageId)?.accountId;
      const provider = accountId ? core.provider(accountId) : undefined;
      const fetchRemote = provider?.fetchAttachment?.bind(provider);
      return core.mail.attachment(messageId, attachmentId, fetchRemote ? () => fetchRemote(messageId, attachmentId) : undefined);
    },
    kickOutbox: (accountId) => void core.outbox.run(accountId),
    emit: (entities, accountId) => core.events.emit('store.changed', { entities, accountId }),
  });
}

export function pimHandlers(core: Core): HandlerGroup<
  | 'calendars.list'
  | 'calendars.update'
  | 'events.range'
  | 'events.rangeCompact'
  | 'events.get'
  | 'events.create'
  | 'events.update'
  | 'events.delete'
  | 'events.updateOccurrence'
  | 'events.deleteOccurrence'
  | 'events.importIcs'
  | 'events.exportIcs'
  | 'invitations.preview'
  | 'invitations.respond'
  | 'invitations.apply'
  | 'invitations.send'
  | 'invitations.acceptCounter'
  | 'invitations.declineCounter'
  | 'invitations.proposeTime'
  | 'invitations.answerRefresh'
  | 'addressBooks.list'
  | 'contacts.list'
  | 'contacts.get'
  | 'contacts.create'
  | 'contacts.update'
  | 'contacts.delete'
  | 'contacts.groups'
  | 'contacts.photo'
  | 'contacts.setPhoto'
  | 'contacts.importVcf'
  | 'contacts.exportVcf'
  | 'contacts.addSender'
> {
  const invitations = invitationsFor(core);
  return {
    'calendars.list': ({ accountId }) => core.calendar.calendars(accountId),
    'calendars.update': ({ id, visible, color }) => {
      core.calendar.setCalendar(id, { visible, color });
      return { ok: true as const };
    },
    'events.range': ({ fromUtc, toUtc, calendarIds }) => core.calendar.range(fromUtc, toUtc, calendarIds),
    'events.rangeCompact': ({ fromUtc, toUtc, calendarIds }) => {
      const events = new Map<string, Occurrence['event']>();
      const occurrences = core.calendar.range(fromUtc, toUtc, calendarIds).map(({ event, ...o }) => {
        events.set(event.id, event);
        return o;
      });
      return { events: [...events.values()], occurrences };
    },
    'events.get': ({ id }) => core.calendar.get(id),
    'events.create': ({ calendarId, event }) => core.calendar.create(calendarId, event).event,
    'events.update': ({ id, patch }) => core.calendar.update(id, patch).event,
    'events.delete': ({ id }) => ({ ok: true as const, taskId: core.calendar.delete(id).id }),
    'events.updateOccurrence': ({ id, recurrenceId, scope, patch }) => {
      const { event, task } = core.calendar.updateOccurrence(id, recurrenceId, scope, patch);
      return { ...event, ...(task.undoable ? { taskId: task.id } : {}) };
    },
    'events.deleteOccurrence': ({ id, recurrenceId, scope }) => {
      const task = core.calendar.deleteOccurrence(id, recurrenceId, scope);
      return { ok: true as const, ...(task.undoable ? { taskId: task.id } : {}) };
    },
    'events.importIcs': ({ calendarId, text }) => core.calendar.importIcs(calendarId, text),
    'events.exportIcs': (target) => core.calendar.exportIcs(target),
    'invitations.preview': ({ messageId }) => invitations.preview(messageId),
    'invitations.respond': async ({ messageId, status, calendarId, comment }) => {
      const { eventId, outboxId, task } = await invitations.respond(messageId, status, { calendarId, comment });
      return { eventId, outboxId, taskId: task.id };
    },
    'invitations.apply': ({ messageId }) => invitations.apply(messageId),
    'invitations.send': ({ eventId, method }) => invitations.send(eventId, method),
    'invitations.acceptCounter': async ({ messageId }) => {
      const { eventId, outboxId, task } = await invitations.acceptCounter(messageId);
      return { eventId, outboxId, taskId: task.id };
    },
    'invitations.declineCounter': ({ messageId, comment }) => invitations.declineCounter(messageId, comment),
    'invitations.proposeTime': ({ messageId, start, end, timeZone, comment }) => invitations.proposeTime(messageId, { start, end, ...(timeZone ? { timeZone } : {}), ...(comment ? { comment } : {}) }),
    'invitations.answerRefresh': ({ messageId }) => invitations.answerRefresh(messageId),
    'addressBooks.list': ({ accountId }) => core.contacts.addressBooks(accountId),
    'contacts.list': (q) => core.contacts.list(q),
    'contacts.get': ({ id }) => core.contacts.get(id),
    'contacts.create': ({ addressBookId, contact }) => core.contacts.create(addressBookId, contact).contact,
    'contacts.update': ({ id, patch }) => core.contacts.update(id, patch).contact,
    'contacts.delete': ({ id }) => ({ ok: true as const, taskId: core.contacts.delete(id).id }),
    'contacts.groups': ({ addressBookId }) => core.contacts.groups(addressBookId),
    'contacts.photo': async ({ id }) => {
      const provider = core.provider(core.contacts.get(id).accountId);
      const fetchRemote = provider?.fetchContactPhoto?.bind(provider);
      return { url: await core.contacts.photoWithRemote(id, fetchRemote) };
    },
    'contacts.setPhoto': ({ id, image }) => {
      const { contact, task } = core.contacts.setPhoto(id, image);
      return { contact, taskId: task.id };
    },
    'contacts.importVcf': ({ addressBookId, text, onDuplicate, choices }) => core.contacts.importVcf(addressBookId, text, { onDuplicate, choices }),
    'contacts.exportVcf': (q) => core.contacts.exportVcf(q),
    'contacts.addSender': ({ messageId, name, address, addressBookId }) => {
      let who: { name: string; address: string; accountId?: string } = { name: name ?? '', address: address ?? '' };
      if (messageId) {
        const msg = core.store.mail.summary(messageId);
        if (!msg) throw notFound('Message', messageId);
        who = { name: msg.from?.name ?? '', address: msg.from?.address ?? '', accountId: msg.accountId };
      }
      if (!who.address) throw badRequest('Give a messageId or an address');
      return core.contacts.addAddress({ ...who, ...(addressBookId ? { addressBookId } : {}) });
    },
  };
}
