// The keyboard triage session (triage-scenarios.ts) on a Microsoft Graph account: the built app talks
// to the Graph emulator (tests/graph) running in this process, and every effect is checked in the
// emulator's mailboxes. Alice, who wrote the messages, is a second emulated user, so the reply is
// delivered to her inbox by the emulator's mail flow.
import { expect } from 'vitest';
import { startGraphEmulator, type GraphEmulator, type MessageSnapshot } from '../../graph/emulator';
import { triageScenarios, type TriageFolder } from './triage-scenarios';

const BOB = 'bob@contoso.test';
const BOB_TOKEN = 'token-bob';
const ALICE = 'alice@contoso.test';

let emu: GraphEmulator;
let projectsId = '';

const folderName = (folder: TriageFolder): string =>
  ({ inbox: 'inbox', archive: 'archive', trash: 'deleteditems', sent: 'sentitems', projects: projectsId })[folder];
const inFolder = (user: string, folder: string, subject: string): MessageSnapshot | undefined => emu.getMessages(user, folder).find((m) => m.subject === subject);
const messageId = (subject: string) => `<${subject.toLowerCase().replace(/\s+/g, '-')}@contoso.test>`;
const header = (m: MessageSnapshot, name: string) => m.internetMessageHeaders.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;

/** What Alice's client shows of an HTML body: its text, entities decoded. */
function bodyText(m: MessageSnapshot): string {
  if (m.body.contentType === 'text') return m.body.content;
  return m.body.content
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&gt;/g, '>')
    .replace(/&lt;/g, '<')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

triageScenarios({
  serverName: 'the Graph emulator',
  async seed() {
    emu = await startGraphEmulator();
    emu.addUser(BOB, BOB_TOKEN, { displayName: 'Bob' });
    emu.addUser(ALICE, 'token-alice', { displayName: 'Alice' });
    projectsId = emu.addMailFolder(BOB, 'Projects').id;
    for (let i = 1; i <= 6; i++) {
      emu.seedMessage(BOB, 'inbox', {
        subject: `Triage ${i}`,
        from: `Alice <${ALICE}>`,
        toRecipients: [`Bob <${BOB}>`],
        body: `Message number ${i}.`,
        internetMessageId: messageId(`Triage ${i}`),
        receivedDateTime: new Date(Date.UTC(2026, 1, i, 9)),
      });
    }
  },
  accountInput: () => ({ kind: 'graph', displayName: 'Bob', email: BOB, graphBaseUrl: emu.baseUrl, auth: { type: 'tokenCommand', command: `printf ${BOB_TOKEN}` } }),
  messageId,
  async onServer(folder, subject) {
    const m = inFolder(BOB, folderName(folder), subject);
    // Graph has no "answered" property; the reply in Sent Items records it (checked below).
    return m && { seen: m.isRead, flagged: m.flag.flagStatus === 'flagged', answered: false };
  },
  list: async (folder) => emu.getMessages(BOB, folderName(folder)).map((m) => m.subject).sort(),
  async receivedReplies(subject) {
    return emu
      .getMessages(ALICE, 'inbox')
      .filter((m) => m.subject === subject)
      .map((m) => ({ inReplyTo: header(m, 'In-Reply-To'), text: bodyText(m) }));
  },
  finalChecks() {
    // The reply is one conversation with the original, in Bob's Sent Items and in Alice's inbox.
    const original = inFolder(BOB, 'inbox', 'Triage 1')!;
    const sent = emu.getMessages(BOB, 'sentitems').filter((m) => m.subject === 'Re: Triage 1');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.conversationId).toBe(original.conversationId);
    expect(inFolder(ALICE, 'inbox', 'Re: Triage 1')!.conversationId).toBe(original.conversationId);
    // The undone send was never handed to Exchange, not even for later: nothing left to send.
    expect(emu.runDeferredSends(new Date(Date.now() + 3_600_000))).toBe(0);
    expect(emu.getMessages(BOB, 'outbox')).toEqual([]);
    expect(emu.sentMail.filter((s) => s.message.subject === 'Re: Triage 1')).toHaveLength(1);
    expect(emu.stats.maxConcurrentSeen).toBeLessThanOrEqual(4);
  },
  async close() {
    await emu?.close();
  },
});
