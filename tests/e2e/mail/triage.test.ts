// The keyboard triage session (triage-scenarios.ts) on an IMAP account: real Dovecot and Postfix,
// every effect checked through a separate IMAP connection, as another mail client would see it.
import { inject } from 'vitest';
import type { ImapFlow } from 'imapflow';
import { resetMailUser } from '../../servers';
import { appendOnServer, imapAccountInput, listServer, serverSession, user } from '../../integration/imap/support';
import { triageScenarios, type TriageFolder } from './triage-scenarios';

const servers = inject('servers');
const alice = user(servers, 'alice');
const bob = user(servers, 'bob');

const FOLDERS: Record<TriageFolder, string> = { inbox: 'INBOX', archive: 'Archive', trash: 'Trash', projects: 'Projects', sent: 'Sent' };

let bobServer: ImapFlow;
let aliceServer: ImapFlow;
const messageIds: Record<string, string> = {};

triageScenarios({
  serverName: 'the IMAP server',
  async seed() {
    await resetMailUser(bob.email, servers);
    await resetMailUser(alice.email, servers);
    bobServer = await serverSession(servers, bob);
    aliceServer = await serverSession(servers, alice);
    await bobServer.mailboxCreate('Projects');
    for (let i = 1; i <= 6; i++) {
      messageIds[`Triage ${i}`] = `<triage-${i}-${Date.now()}@pimlico.test>`;
      await appendOnServer(bobServer, 'INBOX', {
        subject: `Triage ${i}`,
        from: `Alice <${alice.email}>`,
        to: bob.email,
        body: `Message number ${i}.`,
        messageId: messageIds[`Triage ${i}`],
        date: new Date(Date.UTC(2026, 1, i, 9)),
      });
    }
  },
  accountInput: () => ({ ...imapAccountInput(servers, bob), displayName: 'Bob' }),
  messageId: (subject) => messageIds[subject]!,
  async onServer(folder, subject) {
    const m = (await listServer(bobServer, FOLDERS[folder])).find((x) => x.subject === subject);
    return m && { seen: m.flags.has('\\Seen'), flagged: m.flags.has('\\Flagged'), answered: m.flags.has('\\Answered') };
  },
  list: async (folder) => (await listServer(bobServer, FOLDERS[folder])).map((m) => m.subject ?? '').sort(),
  async receivedReplies(subject) {
    const replies = (await listServer(aliceServer, 'INBOX', true)).filter((m) => m.subject === subject);
    return replies.map((m) => {
      const raw = m.source!.toString('utf8');
      // The header as sent (one line: a single Message-ID never needs folding).
      const inReplyTo = /^In-Reply-To:\s*(\S+)\s*$/im.exec(raw.split(/\r?\n\r?\n/)[0]!)?.[1];
      return { inReplyTo, text: raw };
    });
  },
  async close() {
    await bobServer?.logout();
    await aliceServer?.logout();
  },
});
