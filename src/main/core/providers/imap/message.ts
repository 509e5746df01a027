import type { MessageStructureObject } from 'imapflow';
import { parseMessage, type ParsedMessage } from '../../mime';
import type { NewAttachment, NewMessage } from '../../store';
import type { ServerFlags } from './cache';

/** Messages larger than this are stored without their attachment bytes; those are fetched on demand. */
export const LARGE_MESSAGE_BYTES = 1024 * 1024;

export function toNewMessage(
  parsed: ParsedMessage,
  where: { accountId: string; folderId: string; uid: number },
  flags: ServerFlags,
  meta: { size: number; internalDate: number | null; modseq: string | null },
  attachments: NewAttachment[],
): NewMessage {
  return {
    accountId: where.accountId,
    folderId: where.folderId,
    remoteId: String(where.uid),
    messageIdHeader: parsed.messageId,
    inReplyTo: parsed.inReplyTo,
    references: parsed.references,
    subject: parsed.subject,
    from: parsed.from,
    to: parsed.to,
    cc: parsed.cc,
    bcc: parsed.bcc,
    replyTo: parsed.replyTo,
    date: parsed.date ?? meta.internalDate ?? 0,
    snippet: parsed.snippet,
    bodyText: parsed.text,
    bodyHtml: parsed.html,
    bodyState: 'complete',
    headers: parsed.headers,
    isRead: flags.read,
    isFlagged: flags.flagged,
    isAnswered: flags.answered,
    isDraft: flags.draft,
    importance: parsed.importance,
    size: meta.size,
    modseq: meta.modseq,
    attachments,
  };
}

export function parsedAttachments(parsed: ParsedMessage): NewAttachment[] {
  return parsed.attachments.map((a) => ({
    filename: a.filename,
    contentType: a.contentType,
    size: a.size,
    contentId: a.contentId,
    inline: a.inline,
    sha256: a.sha256,
    content: a.content,
  }));
}

export interface LargeMessagePlan {
  /** Parts fetched with the headers to make the body readable at once. */
  textParts: string[];
  attachments: NewAttachment[];
}

/**
 * For a large message: which leaf parts are the readable body (fetched now) and which are
 * attachments (described from BODYSTRUCTURE only, bytes fetched when opened).
 */
export function planLargeMessage(structure: MessageStructureObject): LargeMessagePlan {
  const textParts: string[] = [];
  const attachments: NewAttachment[] = [];
  const walk = (node: MessageStructureObject) => {
    if (node.childNodes?.length) {
      node.childNodes.forEach(walk);
      return;
    }
    const type = node.type.toLowerCase();
    const part = node.part ?? '1';
    const filename = node.dispositionParameters?.['filename'] ?? node.parameters?.['name'];
    const isAttachment = node.disposition?.toLowerCase() === 'attachment' || (filename !== undefined && !type.startsWith('text/'));
    if (!isAttachment && (type === 'text/plain' || type === 'text/html')) {
      textParts.push(part);
      return;
    }
    const encodedSize = node.size ?? 0;
    attachments.push({
      filename: (filename ?? `part-${part}`).replace(/[/\\]/g, '_'),
      contentType: type,
      size: node.encoding?.toLowerCase() === 'base64' ? Math.floor((encodedSize * 3) / 4) : encodedSize,
      contentId: node.id ? node.id.replace(/^<|>$/g, '') : null,
      inline: node.disposition?.toLowerCase() === 'inline',
      partId: part,
      sha256: null,
    });
  };
  walk(structure);
  return { textParts, attachments };
}

/**
 * Parses a large message from its header block plus its text parts, re-wrapped as a small
 * multipart so the one MIME parser handles charsets and encodings as for any other message.
 */
export async function parseLargeMessage(
  headers: Buffer,
  textParts: { type: string; charset: string | undefined; content: Buffer }[],
): Promise<ParsedMessage> {
  const boundary = `pimlico-${Math.random().toString(36).slice(2)}`;
  const headerText = headers
    .toString('latin1')
    .replace(/\r?\n$/, '')
    .split(/\r?\n(?![ \t])/)
    .filter((h) => !/^(content-type|content-transfer-encoding|mime-version)\s*:/i.test(h))
    .join('\r\n')
    .trim();
  const parts = textParts.map(
    (p) =>
      `--${boundary}\r\nContent-Type: ${p.type}; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${p.content.toString('base64').replace(/(.{76})/g, '$1\r\n')}\r\n`,
  );
  const raw = `${headerText}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary="${boundary}"\r\n\r\n${parts.join('')}--${boundary}--\r\n`;
  return parseMessage(Buffer.from(raw, 'latin1'));
}
