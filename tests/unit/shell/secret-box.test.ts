import { beforeEach, describe, expect, it, vi } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

vi.mock('electron', () => import('./electron-fake'));

import { dialog, safeStorage } from './electron-fake';
import { SafeStorageSecretBox, WeakStorageConsent } from '../../../src/main/secret-box';
import { tempDir } from '../../support/core';

const linuxOnly = process.platform === 'linux';

describe('secrets through safeStorage', () => {
  let consentFile: string;
  let box: SafeStorageSecretBox;

  beforeEach(() => {
    consentFile = join(tempDir(), 'weak-secret-storage.json');
    box = new SafeStorageSecretBox(new WeakStorageConsent(consentFile, () => null));
    safeStorage.backend = 'gnome_libsecret';
    safeStorage.available = true;
    dialog.answers = [];
    dialog.asked = [];
  });

  it('encrypts and decrypts through the keychain without asking when a keyring is there', async () => {
    const sealed = await box.perform('encrypt', Buffer.from('hunter2'));
    expect(sealed.includes(Buffer.from('hunter2'))).toBe(false);
    expect((await box.perform('decrypt', sealed)).toString('utf8')).toBe('hunter2');
    expect(dialog.asked).toEqual([]);
  });

  it.runIf(linuxOnly)('on Linux with basic_text, warns and stores nothing when the user declines', async () => {
    safeStorage.backend = 'basic_text';
    expect(box.isWeak).toBe(true);
    dialog.answers = [1];
    await expect(box.perform('encrypt', Buffer.from('hunter2'))).rejects.toMatchObject({ code: 'Forbidden', message: expect.stringContaining('Not stored') });
    expect(dialog.asked).toHaveLength(1);
    expect(dialog.asked[0]).toMatchObject({ type: 'warning', buttons: ['Store anyway', 'Cancel'], defaultId: 1, cancelId: 1 });
    expect(existsSync(consentFile)).toBe(false);
  });

  it.runIf(linuxOnly)('on Linux with basic_text, stores once the user agrees, and asks only once', async () => {
    safeStorage.backend = 'basic_text';
    dialog.answers = [0];
    const [a, b] = await Promise.all([box.perform('encrypt', Buffer.from('one')), box.perform('encrypt', Buffer.from('two'))]);
    expect((await box.perform('decrypt', a)).toString()).toBe('one');
    expect((await box.perform('decrypt', b)).toString()).toBe('two');
    expect(dialog.asked).toHaveLength(1);
    expect(JSON.parse(readFileSync(consentFile, 'utf8'))).toMatchObject({ granted: true });
    await box.perform('encrypt', Buffer.from('three'));
    expect(dialog.asked).toHaveLength(1);
  });

  it('refuses clearly when no encryption is available at all', async () => {
    safeStorage.available = false;
    await expect(box.perform('encrypt', Buffer.from('x'))).rejects.toMatchObject({ code: 'Unsupported' });
  });
});
