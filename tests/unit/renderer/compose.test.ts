import { describe, expect, it } from 'vitest';
import type { MessageDetail } from '../../../src/shared/types';
import { forwardedBody, parseTypedAddress, prefixedSubject, quotedReply, replyRecipients, textToHtml } from '../../../src/renderer/compose/quote';
import { safeFileName } from '../../../src/renderer/mail/filename';

function message(over: Partial<MessageDetail> = {}): MessageDetail {
  return {
    id: 'm1',
    accountId: 'a1',
    folderId: 'f1',
    threadId: 't1',
    subject: 'Plans',
    from: { name: 'Alice', address: 'alice@example.com' },
    to: [{ name: 'Me', address: 'me@example.com' }, { name: 'Carol', address: 'carol@example.com' }],
    cc: [{ name: 'Dave', address: 'dave@example.com' }, { name: '', address: 'ME@example.com' }],
    date: Date.UTC(2026, 0, 5, 10),
    snippet: '',
    isRead: true,
    isFlagged: false,
    isAnswered: false,
    isDraft: false,
    hasAttachments: false,
    importance: 'normal',
    threadCount: 1,
    bcc: [],
    replyTo: [],
    messageIdHeader: '<m1@example.com>',
    inReplyTo: null,
    references: [],
    bodyText: 'Line one\n> older quote\nLine three',
    bodyHtml: null,
    bodyState: 'complete',
    attachments: [],
    headers: {},
    ...over,
  };
}

describe('reply and forward', () => {
  it('replies to the sender, or to Reply-To when given', () => {
    expect(replyRecipients(message(), 'reply', 'me@example.com')).toEqual({ to: [{ name: 'Alice', address: 'alice@example.com' }], cc: [] });
    const withReplyTo = message({ replyTo: [{ name: 'List', address: 'list@example.com' }] });
    expect(replyRecipients(withReplyTo, 'reply', 'me@example.com').to.map((a) => a.address)).toEqual(['list@example.com']);
  });

  it('reply all adds the other recipients and never the user, case-insensitively', () => {
    const r = replyRecipients(message(), 'replyAll', 'me@example.com');
    expect(r.to.map((a) => a.address)).toEqual(['alice@example.com', 'carol@example.com']);
    expect(r.cc.map((a) => a.address)).toEqual(['dave@example.com']);
  });

  it('replying to one’s own sent message goes to its recipients', () => {
    const sent = message({ from: { name: 'Me', address: 'me@example.com' }, to: [{ name: 'Bob', address: 'bob@example.com' }], cc: [] });
    expect(replyRecipients(sent, 'reply', 'me@example.com').to.map((a) => a.address)).toEqual(['bob@example.com']);
  });

  it('prefixes subjects once and quotes the original', () => {
    expect(prefixedSubject('Re', 'Plans')).toBe('Re: Plans');
    expect(prefixedSubject('Re', 'RE: Plans')).toBe('RE: Plans');
    expect(prefixedSubject('Fwd', 'Fw: Plans')).toBe('Fw: Plans');
    const quoted = quotedReply(message());
    expect(quoted).toContain('Alice <alice@example.com> wrote:\n> Line one\n>> older quote\n> Line three');
    expect(forwardedBody(message())).toContain('---------- Forwarded message ----------\nFrom: Alice <alice@example.com>');
  });

  it('reads typed addresses and rejects what is not one', () => {
    expect(parseTypedAddress('bob@example.com,')).toEqual({ name: '', address: 'bob@example.com' });
    expect(parseTypedAddress('"Bob B" <bob@example.com>')).toEqual({ name: 'Bob B', address: 'bob@example.com' });
    expect(parseTypedAddress('bob')).toBeNull();
    expect(parseTypedAddress('bob@localhost')).toBeNull();
  });

  it('turns plain text into escaped rich text', () => {
    expect(textToHtml('a <b>\n\nc')).toBe('<div>a &lt;b&gt;</div><div><br></div><div>c</div>');
  });
});

describe('attachment file names', () => {
  it('keeps ordinary names', () => {
    expect(safeFileName('Report Q3.pdf')).toBe('Report Q3.pdf');
  });
  it('drops folders, control and reserved characters, hidden and device names', () => {
    expect(safeFileName('../../etc/passwd')).toBe('passwd');
    expect(safeFileName('C:\\Windows\\system32\\evil.dll')).toBe('evil.dll');
    expect(safeFileName('.bashrc')).toBe('bashrc');
    expect(safeFileName('a\u0000b\u001fc?.txt')).toBe('a_b_c_.txt');
    expect(safeFileName('invoice\u202Efdp.exe')).toBe('invoice_fdp.exe');
    expect(safeFileName('CON.txt')).toBe('_CON.txt');
    expect(safeFileName('...')).toBe('attachment');
    expect(safeFileName('')).toBe('attachment');
    const long = safeFileName(`${'x'.repeat(300)}.pdf`);
    expect(long.length).toBe(200);
    expect(long.endsWith('.pdf')).toBe(true);
  });
});
