import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildMessage, parseMessage, type OutgoingMessage } from '../../../src/main/core/mime';

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** The header block of a raw message, unfolded, one header per entry. */
function headerLines(raw: Buffer): string[] {
  const text = raw.toString('latin1');
  const head = text.slice(0, text.indexOf('\r\n\r\n'));
  return head.replace(/\r\n[ \t]/g, ' ').split('\r\n');
}

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

function sample(): OutgoingMessage {
  return {
    from: { name: 'Ann Ö. Example', address: 'ann@example.com' },
    to: [
      { name: 'Bob, Jr.', address: 'bob@example.org' },
      { name: '山田太郎', address: 'taro@example.jp' },
    ],
    cc: [{ name: '', address: 'carol@example.net' }],
    bcc: [{ name: 'Secret Sam', address: 'secret@example.net' }],
    replyTo: [{ name: 'Team "Alpha"', address: 'team@example.com' }],
    subject: 'Grüße 🎉 – a rather long subject line that has to be folded by the encoder because it is long',
    text: 'Hello Bob,\n\nsee the attachments.\nA line with trailing spaces   \n.\nFrom the start of a line\n\n-- \nAnn',
    html: '<p>Hello Bob,</p><p>see the <b>attachments</b>.</p><p><img src="cid:logo@pimlico.test"></p>',
    attachments: [
      {
        filename: 'Übersicht der Verkäufe 2024 – Q2 with a very long file name indeed.pdf',
        contentType: 'application/pdf',
        content: randomBytes(100_000),
      },
      {
        filename: 'logo.png',
        contentType: 'image/png',
        content: PNG,
        contentId: 'logo@pimlico.test',
        inline: true,
      },
      { filename: 'notes.txt', content: new TextEncoder().encode('line 1\r\nline 2\n\n') },
    ],
    date: new Date('2024-06-03T10:00:00Z'),
  };
}

describe('buildMessage', () => {
  it('round-trips through parseMessage: subject, addresses, bodies, attachments', async () => {
    const msg = sample();
    const built = await buildMessage(msg);
    const parsed = await parseMessage(built.raw);

    expect(parsed.problems).toEqual([]);
    expect(parsed.messageId).toBe(built.messageId);
    expect(parsed.subject).toBe(msg.subject);
    expect(parsed.date).toBe(msg.date!.getTime());
    expect(parsed.from).toEqual(msg.from);
    expect(parsed.to).toEqual(msg.to);
    expect(parsed.cc).toEqual(msg.cc);
    expect(parsed.replyTo).toEqual(msg.replyTo);
    expect(parsed.text).toBe(msg.text!.replace(/\s+$/, ''));
    expect(parsed.html?.trim()).toBe(msg.html);
    expect(parsed.attachments).toHaveLength(3);
    // MailComposer moves cid images into multipart/related ahead of the others, so match by name.
    for (const a of msg.attachments!) {
      const got = parsed.attachments.find((p) => p.filename === a.filename)!;
      expect(got).toBeDefined();
      expect(got.size).toBe(a.content.byteLength);
      expect(got.sha256).toBe(sha256(a.content));
      expect(got.inline).toBe(a.inline ?? false);
      expect(got.contentId).toBe(a.contentId ?? null);
    }
    expect(parsed.attachments.find((p) => p.filename === 'notes.txt')!.contentType).toBe('text/plain');
  });

  it('puts Bcc in the envelope and nowhere in the message', async () => {
    const built = await buildMessage(sample());
    expect(built.envelope.from).toBe('ann@example.com');
    expect(built.envelope.to.sort()).toEqual(
      ['bob@example.org', 'taro@example.jp', 'carol@example.net', 'secret@example.net'].sort(),
    );
    expect(headerLines(built.raw).some((l) => /^bcc:/i.test(l))).toBe(false);
    expect(built.raw.toString('latin1')).not.toContain('secret@example.net');
    expect((await parseMessage(built.raw)).bcc).toEqual([]);
  });

  it('writes CRLF line ends only', async () => {
    const built = await buildMessage(sample());
    expect(built.raw.toString('latin1')).not.toMatch(/[^\r]\n/);
  });

  it('generates a Message-ID from the sender domain (punycoded) unless given', async () => {
    const built = await buildMessage({ ...sample(), from: { name: '', address: 'ann@bücher.example' } });
    expect(built.messageId).toMatch(/^<[0-9a-f-]{36}@xn--bcher-kva\.example>$/);
    expect(headerLines(built.raw)).toContain(`Message-ID: ${built.messageId}`);

    const given = await buildMessage({ ...sample(), messageId: 'fixed-1@example.com' });
    expect(given.messageId).toBe('<fixed-1@example.com>');
    expect((await parseMessage(given.raw)).messageId).toBe('<fixed-1@example.com>');
  });

  it('writes In-Reply-To and References, trimming an over-long chain', async () => {
    const refs = Array.from({ length: 40 }, (_, i) => `<ref-${i}@example.com>`);
    const built = await buildMessage({ ...sample(), inReplyTo: '<ref-39@example.com>', references: refs });
    const parsed = await parseMessage(built.raw);
    expect(parsed.inReplyTo).toBe('<ref-39@example.com>');
    expect(parsed.references).toHaveLength(20);
    expect(parsed.references[0]).toBe('<ref-0@example.com>');
    expect(parsed.references.at(-1)).toBe('<ref-39@example.com>');
  });

  it('maps importance to Importance/X-Priority headers both ways', async () => {
    for (const importance of ['high', 'low', 'normal'] as const) {
      const built = await buildMessage({ ...sample(), importance });
      expect((await parseMessage(built.raw)).importance).toBe(importance);
    }
    const high = headerLines((await buildMessage({ ...sample(), importance: 'high' })).raw);
    expect(high).toContain('Importance: High');
    expect(high).toContain('X-Priority: 1 (Highest)');
  });

  it('passes custom headers, flattening line breaks and refusing the ones it owns', async () => {
    const built = await buildMessage({
      ...sample(),
      headers: { 'X-Pimlico-Options': '{"undo":true}', 'X-Evil': 'a\r\nBcc: evil@example.com' },
    });
    const parsed = await parseMessage(built.raw);
    expect(parsed.headers['x-pimlico-options']).toBe('{"undo":true}');
    expect(headerLines(built.raw).some((l) => /^bcc:/i.test(l))).toBe(false);
    expect(parsed.bcc).toEqual([]);

    await expect(buildMessage({ ...sample(), headers: { 'Content-Type': 'text/plain' } })).rejects.toThrow(
      TypeError,
    );
    await expect(buildMessage({ ...sample(), headers: { 'Bad Name': 'x' } })).rejects.toThrow(TypeError);
  });

  it('sends an iMIP invitation as a text/calendar alternative that parses back', async () => {
    const ics =
      'BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:u1@example.com\r\nSUMMARY:Plan – Q3\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n';
    const built = await buildMessage({
      from: { name: 'Ann', address: 'ann@example.com' },
      to: [{ name: 'Bob', address: 'bob@example.org' }],
      subject: 'Invitation: Plan',
      text: 'You are invited.',
      calendar: { method: 'request', content: ics },
    });
    expect(built.raw.toString('utf8')).toMatch(/Content-Type: text\/calendar; charset=utf-8; method=REQUEST/);
    const parsed = await parseMessage(built.raw);
    expect(parsed.text).toBe('You are invited.');
    expect(parsed.calendarParts).toHaveLength(1);
    expect(parsed.calendarParts[0]).toContain('UID:u1@example.com');
    expect(parsed.calendarParts[0]).toContain('SUMMARY:Plan – Q3');
  });

  it('builds text-only and empty messages', async () => {
    const textOnly = await parseMessage(
      (
        await buildMessage({
          from: { name: '', address: 'a@example.com' },
          to: [{ name: '', address: 'b@example.com' }],
          subject: 'x',
          text: 'just text',
        })
      ).raw,
    );
    expect(textOnly.text).toBe('just text');
    expect(textOnly.html).toBeNull();

    const empty = await parseMessage(
      (await buildMessage({ from: { name: '', address: 'a@example.com' }, to: [], subject: '' })).raw,
    );
    expect(empty.text).toBe('');
    expect(empty.problems).toEqual([]);
  });

  it('round-trips a 5 MB attachment', async () => {
    const big = randomBytes(5 * 1024 * 1024);
    const built = await buildMessage({ ...sample(), attachments: [{ filename: 'big.bin', content: big }] });
    const parsed = await parseMessage(built.raw);
    expect(parsed.attachments[0]!.size).toBe(big.length);
    expect(parsed.attachments[0]!.sha256).toBe(sha256(big));
  });
});
