import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../../src/main/core/core';
import type { AccountProvider, ProviderContext } from '../../../src/main/core/providers/types';
import { PimlicoError } from '../../../src/main/core/util/errors';
import { createTestCore } from '../../support/core';

let core: Core;
afterEach(async () => core?.close());

/**
 * An IMAP-kind account whose "server" accepts only one password: what a provider sees is what the
 * next sync signs in with, so this shows whether a changed password reaches the sync.
 */
function passwordCheckingProvider(goodPassword: string, built: string[]) {
  return (ctx: ProviderContext): AccountProvider => {
    const password = ctx.secret('imap.password') ?? '';
    built.push(password);
    return {
      canSend: false,
      sync: async () => {
        if (password !== goodPassword) throw new PimlicoError('Unauthorized', 'AUTHENTICATIONFAILED Authentication failed.');
        return {};
      },
      applyTask: async () => undefined,
      send: async () => undefined,
      close: async () => undefined,
    };
  };
}

function addImapAccount(c: Core, password: string): string {
  return c.accounts.create({
    kind: 'imap',
    displayName: 'Work',
    email: 'alice@pimlico.test',
    imap: { host: '127.0.0.1', port: 993, security: 'tls', user: 'alice', password },
    smtp: { host: '127.0.0.1', port: 465, security: 'tls', user: 'alice', password },
    caldav: { url: 'https://dav.example.test/', user: 'alice', password },
  }).id;
}

describe('accounts.update', () => {
  it('a new password replaces the refused one and the next sync signs in with it', async () => {
    const built: string[] = [];
    core = createTestCore({ providers: { imap: passwordCheckingProvider('right', built) } });
    const id = addImapAccount(core, 'wrong');

    await expect(core.handle('accounts.sync', { id })).rejects.toMatchObject({ code: 'Unauthorized' });
    expect(core.accounts.get(id).status).toBe('needs-sign-in');

    await core.handle('accounts.update', { id, imap: { password: 'right' } });
    expect(core.accounts.secret(id, 'imap.password')).toBe('right');
    // The other services keep their own secrets.
    expect(core.accounts.secret(id, 'smtp.password')).toBe('wrong');

    await core.handle('accounts.sync', { id });
    expect(core.accounts.get(id).status).toBe('ok');
    expect(built).toEqual(['wrong', 'right']);
  });

  it('stores and forgets trusted certificate fingerprints and renames, keeping passwords out of settings', async () => {
    core = createTestCore({ providers: { imap: passwordCheckingProvider('pw', []) } });
    const id = addImapAccount(core, 'pw');
    const fp = 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89';

    await core.handle('accounts.update', { id, displayName: 'Office', imap: { trustedCertFingerprint: fp }, caldav: { trustedCertFingerprint: fp, password: 'dav-new' } });
    let account = core.accounts.get(id);
    expect(account.displayName).toBe('Office');
    expect((account.settings['imap'] as Record<string, unknown>)['trustedCertFingerprint']).toBe(fp);
    expect((account.settings['caldav'] as Record<string, unknown>)['trustedCertFingerprint']).toBe(fp);
    expect(JSON.stringify(account.settings)).not.toContain('dav-new');
    expect(core.accounts.secret(id, 'caldav.password')).toBe('dav-new');

    await core.handle('accounts.update', { id, imap: { trustedCertFingerprint: null } });
    account = core.accounts.get(id);
    expect((account.settings['imap'] as Record<string, unknown>)['trustedCertFingerprint']).toBeUndefined();
    expect((account.settings['caldav'] as Record<string, unknown>)['trustedCertFingerprint']).toBe(fp);
  });

  it('refuses a service the account does not have, or another kind of account, and changes nothing', async () => {
    core = createTestCore({ providers: { imap: passwordCheckingProvider('pw', []) } });
    const id = addImapAccount(core, 'pw');

    await expect(core.handle('accounts.update', { id, displayName: 'Changed', imap: { password: 'new' }, carddav: { password: 'x' } })).rejects.toMatchObject({
      code: 'BadRequest',
      message: expect.stringContaining('no carddav server'),
    });
    expect(core.accounts.get(id).displayName).toBe('Work');
    expect(core.accounts.secret(id, 'imap.password')).toBe('pw');

    const local = core.accounts.list().find((a) => a.kind === 'local')!;
    await expect(core.handle('accounts.update', { id: local.id, imap: { password: 'x' } })).rejects.toMatchObject({ code: 'BadRequest' });
    await expect(core.handle('accounts.update', { id: 'acc_missing', displayName: 'x' })).rejects.toMatchObject({ code: 'NotFound' });
    await expect(core.handle('accounts.update', { id, imap: { password: '' } })).rejects.toMatchObject({ code: 'BadRequest' });
  });
});
