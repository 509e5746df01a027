import type { Account, MessageDetail } from '../../../../shared/types';
import type { Core } from '../../core';
import type { StoredFolder } from '../../store';
import { HttpError } from '../http';
import { toReceiveMessage, ODATA_FILE_ATTACHMENT, type ReceiveAttachment, type ReceiveMessage } from './objects';

export const ERROR_RESPONSES = {
  '400': { description: 'BadRequest', schema: 'Error' },
  '401': { description: 'Unauthorized', schema: 'Error' },
  '403': { description: 'Forbidden', schema: 'Error' },
  '404': { description: 'Not found', schema: 'Error' },
  '500': { description: 'Internal Server Error', schema: 'Error' },
  default: { description: 'Operation Failed.', schema: 'Error' },
};

/** The folder a connector path names: its path, its name, or its role ("Inbox" finds "INBOX"). */
export function resolveFolder(core: Core, account: Account, folderPath: string): StoredFolder {
  const folders = core.store.mail.listFolders(account.id);
  const wanted = folderPath.trim().replace(/^\/+|\/+$/g, '');
  const lower = wanted.toLowerCase();
  const hit =
    folders.find((f) => f.path === wanted) ??
    folders.find((f) => f.path.toLowerCase() === lower) ??
    folders.find((f) => f.name.toLowerCase() === lower) ??
    folders.find((f) => f.role === lower && f.role !== 'custom');
  if (!hit) throw new HttpError(404, 'NotFound', `Folder '${folderPath.slice(0, 200)}' was not found in account '${account.id}'`);
  return hit;
}

/** A message of the request's account; ids of other accounts are as unknown as made-up ones. */
export function messageOf(core: Core, account: Account, id: string): MessageDetail {
  const m = core.store.mail.detail(id);
  if (!m || m.accountId !== account.id) throw new HttpError(404, 'NotFound', `Message '${id.slice(0, 200)}' was not found`);
  return m;
}

export async function receiveAttachment(core: Core, messageId: string, attachmentId: string): Promise<ReceiveAttachment> {
  const a = (await core.handle('mail.attachment', { messageId, attachmentId })) as { filename: string; contentType: string; contentBase64: string };
  return {
    Id: attachmentId,
    ContentType: a.contentType,
    '@odata.type': ODATA_FILE_ATTACHMENT,
    Name: a.filename,
    ContentBytes: a.contentBase64,
    Size: Buffer.byteLength(a.contentBase64, 'base64'),
  };
}

export async function receiveMessage(core: Core, m: MessageDetail, includeAttachments: boolean): Promise<ReceiveMessage> {
  const attachments: ReceiveAttachment[] = [];
  if (includeAttachments) for (const a of m.attachments.filter((x) => !x.inline)) attachments.push(await receiveAttachment(core, m.id, a.id));
  return toReceiveMessage(m, attachments);
}

export function calendarOf(core: Core, account: Account, table: string) {
  const cal = core.store.pim.calendar(table);
  if (!cal || cal.accountId !== account.id) throw new HttpError(404, 'NotFound', `Calendar '${table.slice(0, 200)}' was not found`);
  return cal;
}

export function addressBookOf(core: Core, account: Account, table: string) {
  const book = core.store.pim.addressBooks(account.id).find((b) => b.id === table);
  if (!book) throw new HttpError(404, 'NotFound', `Contacts folder '${table.slice(0, 200)}' was not found`);
  return book;
}
