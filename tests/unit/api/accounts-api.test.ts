import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiServer } from '../../../src/main/core/api/server';
import type { Core } from '../../../src/main/core/core';
import { createTestCore } from '../../support/core';

let core: Core;
let server: ApiServer;
let base: string;
const token = 'test-token-0123456789';

beforeAll(async () => {
  core = createTestCore();
  server = new ApiServer({ core, host: '127.0.0.1', port: 0, token });
  const { port } = await server.listen();
  base = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await server.close();
  await core.close();
});

const auth = { Authorization: `Bearer ${token}` };

describe('account management API', () => {
  it('answers /health without a token', async () => {
    const res = await fetch(`${base}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('refuses every other route without a valid bearer token', async () => {
    expect((await fetch(`${base}/accounts`)).status).toBe(401);
    expect((await fetch(`${base}/accounts`, { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${base}/accounts`, { headers: { Authorization: token } })).status).toBe(401);
  });

  it('creates, lists, syncs and removes accounts', async () => {
    const created = await fetch(`${base}/accounts`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: 'local', displayName: 'Second', email: 'second@example.com' }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const list = (await (await fetch(`${base}/accounts`, { headers: auth })).json()) as { id: string; isDefault: boolean }[];
    expect(list.map((a) => a.id)).toContain(id);
    expect(list.find((a) => a.id === id)!.isDefault).toBe(false);

    const sync = await fetch(`${base}/accounts/${id}/sync`, { method: 'POST', headers: auth });
    expect(sync.status).toBe(200);
    expect(await sync.json()).toMatchObject({ accountId: id, messagesAdded: 0 });

    const setDefault = await fetch(`${base}/accounts/default`, { method: 'PUT', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ id }) });
    expect(setDefault.status).toBe(200);
    expect(((await (await fetch(`${base}/accounts`, { headers: auth })).json()) as { id: string }[])[0]!.id).toBe(id);

    expect((await fetch(`${base}/accounts/${id}`, { method: 'DELETE', headers: auth })).status).toBe(200);
    expect((await fetch(`${base}/accounts/${id}`, { method: 'DELETE', headers: auth })).status).toBe(404);
  });

  it('answers bad input with 400 and a code and message, never 500', async () => {
    const cases: [string, RequestInit][] = [
      ['malformed JSON', { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: '{"kind":' }],
      ['unknown kind', { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ kind: 'pop3', displayName: 'x' }) }],
      ['bad port', { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ kind: 'imap', displayName: 'x', email: 'a@b.c', imap: { host: 'h', port: 99999, security: 'tls', user: 'u' } }) }],
      ['malformed XML', { method: 'POST', headers: { ...auth, 'Content-Type': 'application/xml' }, body: '<account><kind>local</kind>' }],
    ];
    for (const [what, init] of cases) {
      const res = await fetch(`${base}/accounts`, init);
      expect(res.status, what).toBe(400);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code, what).toBe('BadRequest');
      expect(body.error.message.length, what).toBeGreaterThan(5);
    }
    const wrongType = await fetch(`${base}/accounts`, { method: 'POST', headers: { ...auth, 'Content-Type': 'text/plain' }, body: 'hi' });
    expect(wrongType.status).toBe(415);
  });

  it('accepts and answers XML', async () => {
    const res = await fetch(`${base}/accounts`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/xml', Accept: 'application/xml' },
      body: '<?xml version="1.0"?><account><kind>local</kind><displayName>Xml</displayName></account>',
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toMatch(/application\/xml/);
    expect(await res.text()).toMatch(/<id>acc_[0-9a-f]+<\/id>/);
  });

  it('refuses requests whose Host is not the bound address (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${base}/health`, { headers: { Host: 'evil.example:80' } }, (res) => resolve(res.statusCode ?? 0));
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(421);
  });

  it('rejects oversized bodies with 413', async () => {
    const big = await fetch(`${base}/accounts`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: 'x'.repeat(51 * 1024 * 1024) });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe('PayloadTooLarge');
  });

  it('serves no CORS headers', async () => {
    const res = await fetch(`${base}/accounts`, { headers: { ...auth, Origin: 'https://evil.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
