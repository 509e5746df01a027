import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PushEventPayload } from '../../../src/shared/contract';
import type { Core } from '../../../src/main/core/core';
import { createTestCore } from '../../support/core';

/** A settable clock: the core reads it for every decision, so time can jump forward or back. */
export class TestClock {
  constructor(public t = Date.parse('2026-03-02T10:00:00Z')) {}
  now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

export function coreWithClock(clock: TestClock, dataDir?: string): Core {
  return createTestCore({ now: clock.now, ...(dataDir ? { dataDir } : {}) });
}

/** Collects the core's 'notification' push events. */
export function notifications(core: Core): PushEventPayload<'notification'>[] {
  const seen: PushEventPayload<'notification'>[] = [];
  core.events.on((name, payload) => {
    if (name === 'notification') seen.push(payload as PushEventPayload<'notification'>);
  });
  return seen;
}

export function localInbox(core: Core, accountId?: string): { accountId: string; folderId: string } {
  const account = accountId ? core.accounts.get(accountId) : core.accounts.list().find((a) => a.kind === 'local')!;
  const inbox = core.store.mail.folderByRole(account.id, 'inbox')!;
  return { accountId: account.id, folderId: inbox.id };
}

let seq = 0;

/** Delivers a message into a Local account's folder the way a provider's sync stores one. */
export function deliver(
  core: Core,
  where: { accountId: string; folderId: string },
  m: { from?: string; fromName?: string; subject?: string; body?: string; isRead?: boolean; messageId?: string; inReplyTo?: string; headers?: Record<string, string>; date?: number },
): string {
  seq++;
  return core.store.mail.insertMessage(
    {
      accountId: where.accountId,
      folderId: where.folderId,
      remoteId: null,
      messageIdHeader: m.messageId ?? `<test-${seq}-${Math.random().toString(36).slice(2)}@pimlico.test>`,
      inReplyTo: m.inReplyTo ?? null,
      references: m.inReplyTo ? [m.inReplyTo] : [],
      subject: m.subject ?? `Message ${seq}`,
      from: { name: m.fromName ?? '', address: m.from ?? 'carol@example.com' },
      to: [{ name: '', address: 'me@pimlico.test' }],
      cc: [],
      bcc: [],
      replyTo: [],
      date: m.date ?? core.now(),
      snippet: (m.body ?? 'Hello there').slice(0, 200),
      bodyText: m.body ?? 'Hello there',
      bodyHtml: null,
      headers: m.headers ?? {},
      isRead: m.isRead ?? false,
      isFlagged: false,
      importance: 'normal',
      size: 100,
      attachments: [],
    },
    core.now(),
  );
}

/** A loopback HTTP listener that records every POST body (webhooks, NotificationUrl). */
export async function listener(status = 200): Promise<{ url: string; bodies: unknown[]; setStatus(s: number): void; close(): Promise<void> }> {
  const bodies: unknown[] = [];
  let answer = status;
  const server: Server = createServer((req: IncomingMessage, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      if (answer < 300) bodies.push(JSON.parse(data || 'null'));
      res.writeHead(answer).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    bodies,
    setStatus: (s) => (answer = s),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
