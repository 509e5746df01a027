import { createHash } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import { connectorRoutes } from '../../../src/main/core/api/connector';
import { ApiServer } from '../../../src/main/core/api/server';
import type { Core } from '../../../src/main/core/core';
import type { NewMessage } from '../../../src/main/core/store';
import { createTestCore, tempDir } from '../../support/core';

export const TOKEN = 'connector-test-token-0123456789';

export interface Harness {
  core: Core;
  server: ApiServer;
  base: string;
  dataDir: string;
}

/** A real Core on a real SQLite file behind a real ApiServer with the connector routes. */
export async function startHarness(dataDir = tempDir('pimlico-connector-'), now?: () => number): Promise<Harness> {
  const core = createTestCore({ dataDir, ...(now ? { now } : {}) });
  const server = new ApiServer({ core, host: '127.0.0.1', port: 0, token: TOKEN, routes: [connectorRoutes] });
  const { port } = await server.listen();
  return { core, server, base: `http://127.0.0.1:${port}`, dataDir };
}

export async function stopHarness(h: Harness): Promise<void> {
  await h.server.close();
  await h.core.close();
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  /** JSON body (or the XML body read back into the same shape). */
  body: unknown;
}

const xmlReader = new XMLParser({ ignoreAttributes: true, parseTagValue: false, isArray: (name) => name === 'item' });

export async function call(
  base: string,
  method: string,
  path: string,
  opts: { body?: unknown; xml?: boolean; rawBody?: string; contentType?: string; token?: string | null; host?: string } = {},
): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (opts.token !== null) headers.Authorization = `Bearer ${opts.token ?? TOKEN}`;
  if (opts.xml) headers.Accept = 'application/xml';
  let body: string | undefined;
  if (opts.rawBody !== undefined) {
    body = opts.rawBody;
    headers['Content-Type'] = opts.contentType ?? 'application/json';
  } else if (opts.body !== undefined) {
    if (opts.xml) {
      body = toXmlBody(opts.body);
      headers['Content-Type'] = 'application/xml';
    } else {
      body = JSON.stringify(opts.body);
      headers['Content-Type'] = 'application/json';
    }
  }
  const url = path.startsWith('http') ? path : `${base}${path}`;
  const res = await fetch(url, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = undefined;
  if (text) {
    const type = res.headers.get('content-type') ?? '';
    if (type.includes('json')) parsed = JSON.parse(text);
    else if (type.includes('xml')) parsed = (xmlReader.parse(text) as { response: unknown }).response;
  }
  return { status: res.status, headers: res.headers, text, body: parsed };
}

/** What a client would send as XML: elements named like the JSON fields, arrays as <item>s. */
export function toXmlBody(value: unknown, root = 'request'): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const el = (name: string, v: unknown): string => {
    const tag = name.replace(/^@/, '').replace(/[^A-Za-z0-9_.-]/g, '_');
    if (v === null || v === undefined) return `<${tag}/>`;
    if (Array.isArray(v)) return `<${tag}>${v.map((x) => el('item', x)).join('')}</${tag}>`;
    if (typeof v === 'object') return `<${tag}>${Object.entries(v).map(([k, x]) => el(k, x)).join('')}</${tag}>`;
    return `<${tag}>${esc(String(v))}</${tag}>`;
  };
  return `<?xml version="1.0" encoding="utf-8"?>${el(root, value)}`;
}

/** Puts a message into a Local folder as if it had arrived: the Local account has no server to deliver it. */
export function deliver(core: Core, accountId: string, folderPath: string, m: Partial<NewMessage> & { subject: string }, attachment?: { filename: string; contentType: string; content: Buffer }): string {
  const folder = core.store.mail.folderByPath(accountId, folderPath);
  if (!folder) throw new Error(`no folder ${folderPath}`);
  const id = core.store.transaction(() =>
    core.store.mail.insertMessage(
      {
        accountId,
        folderId: folder.id,
        remoteId: null,
        messageIdHeader: `<${Math.random().toString(36).slice(2)}@test>`,
        inReplyTo: null,
        references: [],
        from: { name: 'Bob', address: 'bob@example.com' },
        to: [{ name: 'Me', address: 'me@example.com' }],
        cc: [],
        bcc: [],
        replyTo: [],
        date: Date.now(),
        snippet: '',
        bodyText: `Body of ${m.subject}`,
        bodyHtml: null,
        isRead: false,
        isFlagged: false,
        importance: 'normal',
        size: 100,
        attachments: attachment
          ? [
              {
                filename: attachment.filename,
                contentType: attachment.contentType,
                size: attachment.content.length,
                contentId: null,
                inline: false,
                sha256: createHash('sha256').update(attachment.content).digest('hex'),
                content: attachment.content,
              },
            ]
          : [],
        ...m,
      },
      Date.now(),
    ),
  );
  core.events.emit('store.changed', { entities: ['mail'], accountId });
  return id;
}

export function errorOf(r: Reply): { code: string; message: string } {
  return (r.body as { error: { code: string; message: string } }).error;
}
