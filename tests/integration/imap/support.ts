import { ImapFlow } from 'imapflow';
import type { TestServers, TestUser } from '../../servers';
import type { Core } from '../../../src/main/core/core';
import { eventually } from '../../support/eventually';

export { eventually };

export function user(servers: TestServers, name: 'alice' | 'bob'): TestUser {
  const u = servers.users.find((x) => x.email.startsWith(`${name}@`));
  if (!u) throw new Error(`no test user ${name}`);
  return u;
}

/** Account settings for a test user on the plain loopback ports (TLS is tested separately); with `dav`, Radicale too. */
export function imapAccountInput(servers: TestServers, u: TestUser, extra: { smtp?: Record<string, unknown>; imap?: Record<string, unknown>; dav?: boolean } = {}) {
  const dav = { url: servers.dav.url, user: u.email, password: u.password };
  return {
    kind: 'imap' as const,
    displayName: u.email.split('@')[0]!,
    email: u.email,
    imap: { host: servers.imap.host, port: servers.imap.port, security: 'none' as const, user: u.email, password: u.password, ...extra.imap },
    smtp: { host: servers.smtp.host, port: servers.smtp.port, security: 'none' as const, user: u.email, password: u.password, ...extra.smtp },
    ...(extra.dav ? { caldav: dav, carddav: dav } : {}),
  };
}

export function addImapAccount(core: Core, servers: TestServers, u: TestUser): string {
  return core.accounts.create(imapAccountInput(servers, u)).id;
}

/** A separate IMAP connection, as another mail client would have, to check and change the server directly. */
export async function serverSession(servers: TestServers, u: TestUser): Promise<ImapFlow> {
  const c = new ImapFlow({
    host: servers.imap.host,
    port: servers.imap.port,
    secure: false,
    doSTARTTLS: false,
    auth: { user: u.email, pass: u.password },
    logger: false,
  });
  await c.connect();
  return c;
}

export interface ServerMessage {
  uid: number;
  flags: Set<string>;
  messageId: string | undefined;
  subject: string | undefined;
  source: Buffer | undefined;
}

export async function listServer(c: ImapFlow, path: string, withSource = false): Promise<ServerMessage[]> {
  const lock = await c.getMailboxLock(path);
  try {
    await c.noop(); // picks up EXISTS for mail delivered since the folder was selected
    if (!c.mailbox || c.mailbox.exists === 0) return [];
    const all = await c.fetchAll('1:*', { uid: true, flags: true, envelope: true, source: withSource });
    return all.map((m) => ({ uid: m.uid, flags: m.flags ?? new Set(), messageId: m.envelope?.messageId, subject: m.envelope?.subject, source: m.source }));
  } finally {
    lock.release();
  }
}

/** Appends a simple message directly on the server. */
export async function appendOnServer(c: ImapFlow, path: string, o: { subject: string; from?: string; to?: string; body?: string; messageId?: string; flags?: string[]; date?: Date }): Promise<void> {
  const messageId = o.messageId ?? `<${Math.random().toString(36).slice(2)}@pimlico.test>`;
  const raw = [
    `From: ${o.from ?? 'carol@pimlico.test'}`,
    `To: ${o.to ?? 'bob@pimlico.test'}`,
    `Subject: ${o.subject}`,
    `Message-ID: ${messageId}`,
    `Date: ${(o.date ?? new Date()).toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    o.body ?? `Body of ${o.subject}`,
    '',
  ].join('\r\n');
  await c.append(path, raw, o.flags ?? [], o.date);
}


export function folderId(core: Core, accountId: string, role: string): string {
  const f = core.store.mail.listFolders(accountId).find((x) => x.role === role);
  if (!f) throw new Error(`no ${role} folder`);
  return f.id;
}
