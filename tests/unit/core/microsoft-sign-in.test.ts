import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../../src/main/core/core';
import type { PushEventPayload } from '../../../src/shared/contract';
import { authorityUrl } from '../../../src/main/core/handlers/app';
import { MsalTokenSource, TOKEN_CACHE_SECRET } from '../../../src/main/core/providers/graph/auth';
import { createTestCore } from '../../support/core';
import { startFakeAuthority, type FakeAuthority } from '../../support/fake-authority';

const CLIENT_ID = '11111111-2222-3333-4444-555555555555';
const EMAIL = 'dana@pimlico.test';

let authority: FakeAuthority;
let core: Core | null = null;
beforeAll(async () => {
  authority = await startFakeAuthority({ username: EMAIL, clientId: CLIENT_ID, accessToken: 'access-token-1' });
});
afterAll(async () => authority?.close());
afterEach(async () => {
  await core?.close();
  core = null;
});

function addGraphAccount(c: Core, extra: { clientId?: string; authority?: string; auth?: 'interactive' | 'deviceCode' }): string {
  return c.accounts.create({ kind: 'graph', displayName: 'Dana', email: EMAIL, graphBaseUrl: 'https://graph.microsoft.com/v1.0', clientId: extra.clientId, authority: extra.authority, auth: { type: extra.auth ?? 'deviceCode' } }).id;
}

describe('accounts.signIn (Microsoft)', () => {
  it('without a client id is refused with a clear message and nothing is sent anywhere', async () => {
    core = createTestCore();
    const id = addGraphAccount(core, { authority: authority.authority });
    const before = authority.requests.length;
    await expect(core.handle('accounts.signIn', { id })).rejects.toMatchObject({ code: 'Unsupported', message: expect.stringContaining('application (client) id') });
    expect(authority.requests.length).toBe(before);
    expect(core.accounts.secret(id, TOKEN_CACHE_SECRET)).toBeUndefined();
  });

  it('refuses other kinds of account, and browser sign-in where there is no browser to open', async () => {
    core = createTestCore();
    const local = core.accounts.list()[0]!;
    await expect(core.handle('accounts.signIn', { id: local.id })).rejects.toMatchObject({ code: 'BadRequest' });
    const id = addGraphAccount(core, { clientId: CLIENT_ID, authority: authority.authority });
    await expect(core.handle('accounts.signIn', { id, mode: 'interactive' })).rejects.toMatchObject({ code: 'Unsupported', message: expect.stringContaining('device code') });
  });

  it('headless: device code from the configured authority is pushed to the UI, then the account is signed in with its tokens cached', async () => {
    core = createTestCore();
    const id = addGraphAccount(core, { clientId: CLIENT_ID, authority: authority.authority });
    core.accounts.markSynced(id, Object.assign(new Error('Sign in to dana'), { code: 'Unauthorized' }));
    const codes: PushEventPayload<'accounts.deviceCode'>[] = [];
    core.events.on((name, payload) => name === 'accounts.deviceCode' && codes.push(payload as PushEventPayload<'accounts.deviceCode'>));
    const start = Date.now();

    const result = await core.handle('accounts.signIn', { id });

    expect(result).toEqual({ username: EMAIL });
    expect(codes).toHaveLength(1);
    expect(codes[0]).toMatchObject({ accountId: id, userCode: 'PIML-1234', verificationUri: `${authority.origin}/devicelogin` });
    expect(codes[0]!.expiresAt).toBeGreaterThanOrEqual(start + 900_000);
    const deviceRequest = authority.requests.find((r) => r.path === '/common/oauth2/v2.0/devicecode');
    expect(deviceRequest?.form.get('client_id')).toBe(CLIENT_ID);
    expect(deviceRequest?.form.get('scope')).toContain('Mail.ReadWrite');
    expect(authority.requests.some((r) => r.path === '/common/oauth2/v2.0/token' && r.form.get('device_code') === 'device-code-1')).toBe(true);
    expect(core.accounts.get(id).status).toBe('ok');

    // The cache is an encrypted secret, and the provider's token source gets the token from it silently.
    const cache = core.accounts.secret(id, TOKEN_CACHE_SECRET);
    expect(cache).toContain('access-token-1');
    expect(JSON.stringify(core.accounts.get(id).settings)).not.toContain('access-token-1');
    const c = core;
    const source = new MsalTokenSource({ clientId: CLIENT_ID, email: EMAIL, authority: authority.authority, cache: { get: () => c.accounts.secret(id, TOKEN_CACHE_SECRET), set: (v) => c.accounts.setSecret(id, TOKEN_CACHE_SECRET, v) } });
    expect(await source.token()).toBe('access-token-1');
  });

  it('desktop: the browser is asked to open the authority only, and the loopback redirect completes the sign-in', async () => {
    const opened: string[] = [];
    core = createTestCore({
      mode: 'electron',
      // Plays the user's browser: the authority "signs in" and redirects to MSAL's loopback listener.
      openExternal: async (url) => {
        opened.push(url);
        const u = new URL(url);
        const form = new URLSearchParams({ code: 'auth-code-1', state: u.searchParams.get('state') ?? '' });
        // response_mode=form_post, as Microsoft answers MSAL's loopback listener.
        void fetch(u.searchParams.get('redirect_uri')!, { method: 'POST', body: form }).then((r) => r.text());
      },
    });
    const id = addGraphAccount(core, { clientId: CLIENT_ID, authority: authority.authority, auth: 'interactive' });

    expect(await core.handle('accounts.signIn', { id })).toEqual({ username: EMAIL });
    expect(opened).toHaveLength(1);
    expect(opened[0]!.startsWith(`${authority.origin}/common/oauth2/v2.0/authorize?`)).toBe(true);
    expect(new URL(opened[0]!).searchParams.get('code_challenge_method')).toBe('S256');
    expect(authority.requests.some((r) => r.path === '/common/oauth2/v2.0/token' && r.form.get('code') === 'auth-code-1')).toBe(true);
  });

  it('a second request while the user has not entered the code yet joins the pending sign-in and shows the same code', async () => {
    const slow = await startFakeAuthority({ username: EMAIL, clientId: CLIENT_ID, accessToken: 'access-token-2' }, { deviceCodeApproved: false });
    try {
      core = createTestCore();
      const id = addGraphAccount(core, { clientId: CLIENT_ID, authority: slow.authority });
      const codes: string[] = [];
      core.events.on((name, payload) => name === 'accounts.deviceCode' && codes.push((payload as PushEventPayload<'accounts.deviceCode'>).userCode));
      const first = core.handle('accounts.signIn', { id });
      await expect.poll(() => codes.length).toBe(1);
      const second = core.handle('accounts.signIn', { id });
      expect(codes).toEqual(['PIML-1234', 'PIML-1234']);
      slow.approveDeviceCode();
      expect(await Promise.all([first, second])).toEqual([{ username: EMAIL }, { username: EMAIL }]);
      expect(slow.requests.filter((r) => r.path.endsWith('/devicecode'))).toHaveLength(1);
      expect(core.accounts.get(id).status).toBe('ok');
    } finally {
      await slow.close();
    }
  });

  it('opens only https addresses of the sign-in authority', () => {
    const a = 'https://login.microsoftonline.com/common';
    expect(authorityUrl('https://login.microsoftonline.com/common/oauth2/v2.0/authorize?x=1', a)).toContain('/authorize?x=1');
    expect(() => authorityUrl('http://login.microsoftonline.com/common/oauth2/v2.0/authorize', a)).toThrow(/Refusing/);
    expect(() => authorityUrl('https://evil.example/phish', a)).toThrow(/Refusing/);
    expect(() => authorityUrl('file:///etc/passwd', a)).toThrow(/Refusing/);
    expect(() => authorityUrl('not a url', a)).toThrow(/not a valid URL/);
  });
});
