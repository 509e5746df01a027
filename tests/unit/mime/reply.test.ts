import { describe, expect, it } from 'vitest';
import {
  buildMessage,
  forward,
  normalizeSubject,
  parseMessage,
  replyTo,
  threadKeyCandidates,
  type ParsedMessageLike,
} from '../../../src/main/core/mime';

const ann = { name: 'Ann Example', address: 'ann@example.com' };
const bob = { name: 'Bob', address: 'bob@example.org' };
const carol = { name: 'Carol', address: 'carol@example.net' };
const dave = { name: 'Dave', address: 'dave@example.net' };
const me = { name: 'Me Myself', address: 'me@example.com' };

function original(overrides: Partial<ParsedMessageLike> = {}): ParsedMessageLike {
  return {
    messageId: '<orig-1@example.com>',
    references: ['<root@example.com>', '<mid@example.com>'],
    inReplyTo: '<mid@example.com>',
    subject: 'Lunch on Friday?',
    from: ann,
    replyTo: [],
    to: [me, bob],
    cc: [carol],
    date: Date.UTC(2024, 5, 3, 8, 0, 0),
    text: 'Shall we meet at noon?\n> earlier quote\n\nAnn',
    html: '<html><head><style>p{}</style><title>t</title></head><body><p>Shall we meet at <b>noon</b>?</p><script>x()</script></body></html>',
    ...overrides,
  };
}
const self = ['ME@example.com', 'me.alias@example.com'];

describe('replyTo', () => {
  it('replies to the sender with one "Re:", threading ids and a quote', () => {
    const r = replyTo(original(), { replyAll: false, self, timeZone: 'UTC', comment: 'Noon works.' });
    expect(r.to).toEqual([ann]);
    expect(r.cc).toEqual([]);
    expect(r.subject).toBe('Re: Lunch on Friday?');
    expect(r.inReplyTo).toBe('<orig-1@example.com>');
    expect(r.references).toEqual(['<root@example.com>', '<mid@example.com>', '<orig-1@example.com>']);
    expect(r.text).toBe(
      'Noon works.\n\nOn Mon, Jun 3, 2024 at 8:00 AM, Ann Example wrote:\n> Shall we meet at noon?\n>> earlier quote\n>\n> Ann\n',
    );
  });

  it('quotes HTML in a blockquote, without the head or scripts, and escapes the comment', () => {
    const r = replyTo(original(), { replyAll: false, self, timeZone: 'UTC', comment: 'a < b & "c"' });
    expect(r.html).toContain('<div>a &lt; b &amp; &quot;c&quot;</div>');
    expect(r.html).toContain('On Mon, Jun 3, 2024 at 8:00 AM, Ann Example wrote:');
    expect(r.html).toMatch(
      /<blockquote type="cite"[^>]*>\n<p>Shall we meet at <b>noon<\/b>\?<\/p>\n<\/blockquote>/,
    );
    expect(r.html).not.toContain('<style>');
    expect(r.html).not.toContain('<script>');
  });

  it('builds HTML only when asked or when the original has HTML', () => {
    expect(replyTo(original(), { replyAll: false, self, html: false }).html).toBeUndefined();
    expect(replyTo(original({ html: null }), { replyAll: false, self }).html).toBeUndefined();
    const forced = replyTo(original({ html: null, text: 'a <b>\nline 2' }), {
      replyAll: false,
      self,
      html: true,
    });
    expect(forced.html).toContain('a &lt;b&gt;<br>\nline 2');
  });

  it('uses Reply-To over From', () => {
    const r = replyTo(original({ replyTo: [{ name: 'List', address: 'list@example.com' }] }), {
      replyAll: false,
      self,
    });
    expect(r.to).toEqual([{ name: 'List', address: 'list@example.com' }]);
  });

  it('reply-all adds To and Cc without self addresses (any case) or duplicates', () => {
    const r = replyTo(
      original({
        to: [
          me,
          bob,
          { name: '', address: 'BOB@example.org' },
          { name: 'Alias', address: 'Me.Alias@Example.com' },
        ],
        cc: [
          carol,
          { name: 'Ann again', address: 'ANN@example.com' },
          dave,
          { name: 'me', address: 'me@EXAMPLE.com' },
        ],
      }),
      { replyAll: true, self },
    );
    expect(r.to).toEqual([ann, bob]);
    expect(r.cc).toEqual([carol, dave]);
  });

  it('reply-all with Reply-To keeps Reply-To first and adds the recipients', () => {
    const r = replyTo(original({ replyTo: [{ name: 'List', address: 'list@example.com' }] }), {
      replyAll: true,
      self,
    });
    expect(r.to.map((a) => a.address)).toEqual(['list@example.com', 'bob@example.org']);
    expect(r.cc.map((a) => a.address)).toEqual(['carol@example.net']);
  });

  it('replying to one’s own sent message goes to its recipients', () => {
    const sent = original({ from: me, to: [bob, me], cc: [carol] });
    expect(replyTo(sent, { replyAll: false, self }).to).toEqual([bob]);
    const all = replyTo(sent, { replyAll: true, self });
    expect(all.to).toEqual([bob]);
    expect(all.cc).toEqual([carol]);
  });

  it('never leaves To empty', () => {
    // A note to self: the only possible recipient is self.
    expect(replyTo(original({ from: me, to: [me], cc: [] }), { replyAll: true, self }).to).toEqual([me]);
    // Sent by self to nobody but Cc: the Cc moves up.
    const ccOnly = replyTo(original({ from: me, to: [], cc: [carol] }), { replyAll: true, self });
    expect(ccOnly.to).toEqual([carol]);
    expect(ccOnly.cc).toEqual([]);
  });

  it('keeps exactly one Re: whatever prefixes the subject had', () => {
    const subject = (s: string): string =>
      replyTo(original({ subject: s }), { replyAll: false, self }).subject;
    expect(subject('Re: Lunch')).toBe('Re: Lunch');
    expect(subject('RE: Re: AW: Sv: Lunch')).toBe('Re: Lunch');
    expect(subject('Re[3]: Lunch')).toBe('Re: Lunch');
    expect(subject('[team] Re: Lunch')).toBe('Re: [team] Lunch');
    expect(subject('Fwd: Lunch')).toBe('Re: Fwd: Lunch');
    expect(subject('Reading list')).toBe('Re: Reading list');
    expect(subject('')).toBe('Re:');
  });

  it('builds References from In-Reply-To when References is missing, and trims long chains', () => {
    const noRefs = replyTo(original({ references: [], inReplyTo: '<parent@example.com>' }), {
      replyAll: false,
      self,
    });
    expect(noRefs.references).toEqual(['<parent@example.com>', '<orig-1@example.com>']);

    const long = Array.from({ length: 30 }, (_, i) => `<r${i}@example.com>`);
    const trimmed = replyTo(original({ references: long }), { replyAll: false, self }).references!;
    expect(trimmed).toHaveLength(20);
    expect(trimmed[0]).toBe('<r0@example.com>');
    expect(trimmed.at(-2)).toBe('<r29@example.com>');
    expect(trimmed.at(-1)).toBe('<orig-1@example.com>');

    const noId = replyTo(original({ messageId: null, references: [], inReplyTo: null }), {
      replyAll: false,
      self,
    });
    expect(noId.inReplyTo).toBeUndefined();
    expect(noId.references).toEqual([]);
  });

  it('quotes the text made from HTML when the original has no text, and copes with a missing date', () => {
    const r = replyTo(original({ text: '', date: null, html: '<p>Only <i>html</i></p><p>here</p>' }), {
      replyAll: false,
      self,
      html: false,
    });
    expect(r.text).toBe('Ann Example wrote:\n> Only html\n>\n> here\n');
  });

  it('stays fast on hostile HTML (many unclosed tags)', () => {
    const html =
      '<script x'.repeat(30_000) +
      '<head '.repeat(30_000) +
      '<html '.repeat(30_000) +
      '<base '.repeat(30_000);
    const started = Date.now();
    replyTo(original({ html, text: '' }), { replyAll: false, self, html: true });
    forward(original({ html, text: '' }), { html: true });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('threads through build and parse', async () => {
    const orig = await parseMessage(
      (
        await buildMessage({
          from: ann,
          to: [me],
          subject: 'Question',
          text: 'Q?',
          references: ['<root@example.com>'],
        })
      ).raw,
    );
    const reply = replyTo(orig, { replyAll: false, self });
    const built = await buildMessage({ from: me, ...reply });
    const parsed = await parseMessage(built.raw);
    expect(parsed.subject).toBe('Re: Question');
    expect(parsed.inReplyTo).toBe(orig.messageId);
    expect(parsed.references).toEqual(['<root@example.com>', orig.messageId]);
    expect(parsed.to).toEqual([ann]);
    expect(threadKeyCandidates(parsed)).toEqual([parsed.messageId, orig.messageId, '<root@example.com>']);
  });
});

describe('forward', () => {
  it('makes a Fwd: subject and a header block above the original', () => {
    const f = forward(original(), { comment: 'FYI', timeZone: 'UTC' });
    expect(f.subject).toBe('Fwd: Lunch on Friday?');
    expect(f.text).toBe(
      'FYI\n\n---------- Forwarded message ----------\n' +
        'From: Ann Example <ann@example.com>\n' +
        'Date: Mon, Jun 3, 2024 at 8:00 AM\n' +
        'Subject: Lunch on Friday?\n' +
        'To: Me Myself <me@example.com>, Bob <bob@example.org>\n' +
        'Cc: Carol <carol@example.net>\n\n' +
        'Shall we meet at noon?\n> earlier quote\n\nAnn\n',
    );
    expect(f.html).toContain('From: Ann Example &lt;ann@example.com&gt;');
    expect(f.html).toContain('<p>Shall we meet at <b>noon</b>?</p>');
    expect(f.html).not.toContain('<script>');
  });

  it('keeps a single Fwd: and omits empty header rows', () => {
    expect(forward(original({ subject: 'Fwd: FW: Lunch' }), {}).subject).toBe('Fwd: Lunch');
    expect(forward(original({ subject: 'Re: Lunch' }), {}).subject).toBe('Fwd: Re: Lunch');
    const bare = forward(original({ cc: [], date: null, html: null }), {});
    expect(bare.text).not.toContain('Cc:');
    expect(bare.text).not.toContain('Date:');
    expect(bare.html).toBeUndefined();
  });
});

describe('normalizeSubject', () => {
  it('strips reply/forward prefixes in many languages, list tags and case', () => {
    expect(normalizeSubject('Re: Fwd: [list] AW: Hello   World')).toBe('hello world');
    expect(normalizeSubject('RE[2]: hi')).toBe('hi');
    expect(normalizeSubject('Sv: Vs: WG: TR: test (fwd)')).toBe('test');
    expect(normalizeSubject('回复：你好')).toBe('你好');
    expect(normalizeSubject('Antw: Odp: RIF: Ynt: Vorschlag')).toBe('vorschlag');
    expect(normalizeSubject('[EXTERNAL] [team] Re: Plan')).toBe('plan');
    expect(normalizeSubject('Ｒｅ: full width')).toBe('full width');
    expect(normalizeSubject('Reading list')).toBe('reading list');
    expect(normalizeSubject('')).toBe('');
  });
});

describe('threadKeyCandidates', () => {
  it('lists own id, then parents nearest first, bracketed and unique', () => {
    expect(
      threadKeyCandidates({
        messageId: '<c@x>',
        inReplyTo: '<b@x>',
        references: ['<a@x>', '<b@x>'],
      }),
    ).toEqual(['<c@x>', '<b@x>', '<a@x>']);
    expect(threadKeyCandidates({ messageId: 'bare@x', inReplyTo: null, references: [] })).toEqual([
      '<bare@x>',
    ]);
    expect(threadKeyCandidates({ messageId: null, inReplyTo: null, references: [] })).toEqual([]);
  });
});
