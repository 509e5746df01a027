import type { Core } from '../core';
import { PimlicoError } from '../util/errors';
import type { HandlerGroup } from './types';

export function mailHandlers(core: Core): HandlerGroup<
  | 'folders.list'
  | 'mail.list'
  | 'mail.get'
  | 'mail.thread'
  | 'mail.search'
  | 'mail.setFlags'
  | 'mail.move'
  | 'mail.archive'
  | 'mail.delete'
  | 'mail.saveDraft'
  | 'mail.send'
  | 'mail.attachment'
  | 'outbox.list'
  | 'outbox.cancel'
> {
  return {
    'folders.list': ({ accountId }) => core.mail.folders(accountId),
    'mail.list': (req) => core.mail.list(req),
    'mail.get': ({ id }) => core.mail.get(id),
    'mail.thread': ({ threadId }) => core.mail.thread(threadId),
    'mail.search': ({ query, limit }) => core.mail.search(query, limit),
    'mail.setFlags': ({ ids, read, flagged }) => core.mail.setFlags(ids, { read, flagged }),
    'mail.move': ({ ids, folderId }) => core.mail.move(ids, folderId),
    'mail.archive': ({ ids }) => core.mail.moveToRole(ids, 'archive'),
    'mail.delete': ({ ids }) => core.mail.delete(ids),
    'mail.saveDraft': (draft) => core.mail.saveDraft(draft),
    'mail.send': async (draft) => {
      const out = await core.mail.send(draft);
      void core.outbox.run(draft.accountId);
      return out;
    },
    'mail.attachment': ({ messageId, attachmentId }) => {
      const accountId = core.store.mail.summary(messageId)?.accountId;
      const provider = accountId ? core.provider(accountId) : undefined;
      const fetchRemote = provider?.fetchAttachment?.bind(provider);
      return core.mail.attachment(messageId, attachmentId, fetchRemote ? () => fetchRemote(messageId, attachmentId) : undefined);
    },
    'outbox.list': () =>
      core.store.outbox.list().map(({ id, accountId, status, subject, to, createdAt, sendAt, attempts, lastError }) => ({
        id,
        accountId,
        status,
        subject,
        to,
        createdAt,
        sendAt,
        attempts,
        lastError,
      })),
    'outbox.cancel': ({ id }) => {
      const entry = core.store.outbox.get(id);
      if (!entry) throw new PimlicoError('NotFound', `Outbox entry '${id}' was not found`);
      if (entry.status !== 'queued' && entry.status !== 'failed') {
        throw new PimlicoError('Conflict', `This message is ${entry.status} and can no longer be cancelled`);
      }
      core.store.outbox.setStatus(id, 'cancelled');
      core.events.emit('store.changed', { entities: ['outbox'] });
      return { ok: true as const };
    },
  };
}
