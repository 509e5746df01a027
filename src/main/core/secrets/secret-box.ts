import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * Encrypts secrets before they reach SQLite. The Electron shell provides one backed by the OS
 * keychain (safeStorage); headless mode uses a key file readable only by its owner.
 */
export interface SecretBox {
  readonly backend: string;
  encrypt(plaintext: string): Buffer;
  decrypt(ciphertext: Buffer): string;
}

const VERSION = 1;

/** AES-256-GCM with a random 32-byte key kept in a 0600 file in the data directory. */
export class FileKeySecretBox implements SecretBox {
  readonly backend = 'key-file';
  private readonly key: Buffer;

  constructor(keyFile: string) {
    if (existsSync(keyFile)) {
      this.key = readFileSync(keyFile);
      if (this.key.length !== 32) throw new Error(`Key file ${keyFile} is damaged (expected 32 bytes)`);
    } else {
      this.key = randomBytes(32);
      writeFileSync(keyFile, this.key, { mode: 0o600, flag: 'wx' });
    }
    chmodSync(keyFile, 0o600);
  }

  encrypt(plaintext: string): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
  }

  decrypt(ciphertext: Buffer): string {
    if (ciphertext[0] !== VERSION) throw new Error('Unknown secret format');
    const iv = ciphertext.subarray(1, 13);
    const tag = ciphertext.subarray(13, 29);
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext.subarray(29)), decipher.final()]).toString('utf8');
  }
}
