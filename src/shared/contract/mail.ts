import { z } from 'zod';
import { call } from './define';
import { Draft, Folder, FolderRole, Id, MessageDetail, MessageSummary, OutboxEntry, TaskInfo } from '../types';

const Ids = z.array(Id).min(1).max(10_000);

export const mailCalls = {
  'folders.list': call(z.object({ accountId: Id.optional() }), z.array(Folder), 'Folders of one or all accounts.'),
  'mail.list': call(
    z.object({
      /** A folder id, or a role across all accounts (the unified inbox is role "inbox"). */
      folderId: Id.optional(),
      role: FolderRole.optional(),
      threads: z.boolean().default(false),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(1000).default(100),
    }),
    z.object({ items: z.array(MessageSummary), total: z.number().int() }),
    'A page of the message list, newest first.',
  ),
  'mail.get': call(z.object({ id: Id }), MessageDetail, 'One message with its body and attachment list.'),
  'mail.thread': call(z.object({ threadId: z.string().min(1) }), z.array(MessageDetail), 'All messages of a conversation.'),
  'mail.search': call(
    z.object({ query: z.string().max(1000), limit: z.number().int().min(1).max(1000).default(100) }),
    z.object({ items: z.array(MessageSummary), total: z.number().int(), highlights: z.array(z.string()) }),
    'Full-text search with operators (from:, to:, subject:, has:attachment, is:unread, ...).',
  ),
  'mail.setFlags': call(
    z.object({ ids: Ids, read: z.boolean().optional(), flagged: z.boolean().optional() }),
    TaskInfo,
    'Mark read/unread, flag/unflag.',
  ),
  'mail.move': call(z.object({ ids: Ids, folderId: Id }), TaskInfo, 'Move messages to a folder.'),
  'mail.archive': call(z.object({ ids: Ids }), TaskInfo, 'Move messages to their account archive.'),
  'mail.delete': call(
    z.object({ ids: Ids }),
    TaskInfo,
    'Move to Trash; messages already in Trash are deleted permanently.',
  ),
  'mail.saveDraft': call(Draft, z.object({ id: Id }), 'Save a draft locally (and to the server Drafts).'),
  'mail.send': call(Draft, z.object({ outboxId: Id }), 'Queue a message in the outbox for sending.'),
  'mail.attachment': call(
    z.object({ messageId: Id, attachmentId: Id }),
    z.object({ filename: z.string(), contentType: z.string(), contentBase64: z.string() }),
    'The bytes of one attachment.',
  ),
  'outbox.list': call(z.object({}), z.array(OutboxEntry), 'Messages waiting to be sent, newest first.'),
  'outbox.cancel': call(z.object({ id: Id }), z.object({ ok: z.literal(true) }), 'Cancel a queued send.'),
} as const;
