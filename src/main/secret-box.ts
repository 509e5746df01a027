import { safeStorage } from 'electron';
import type { SecretBox } from './core/secrets/secret-box';

/** Secrets through the OS keychain (Keychain, DPAPI, libsecret/kwallet). */
export class SafeStorageSecretBox implements SecretBox {
  get backend(): string {
    return process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : 'os-keychain';
  }

  /** On Linux without a keyring, Electron falls back to a hard-coded key: the user must agree to that. */
  get isWeak(): boolean {
    return this.backend === 'basic_text';
  }

  encrypt(plaintext: string): Buffer {
    if (!safeStorage.isEncryptionAvailable()) throw new Error('The system keychain is not available');
    return safeStorage.encryptString(plaintext);
  }

  decrypt(ciphertext: Buffer): string {
    return safeStorage.decryptString(ciphertext);
  }
}
