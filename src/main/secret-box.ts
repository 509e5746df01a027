import { dialog, safeStorage, type BrowserWindow } from 'electron';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { PimlicoError } from './core/util/errors';
import type { SecretOp } from './secret-bridge';

/** The user's answer to "store secrets without a keyring?", kept so they are asked once. */
export class WeakStorageConsent {
  private pending: Promise<boolean> | null = null;

  constructor(
    private readonly file: string,
    private readonly parentWindow: () => BrowserWindow | null,
  ) {}

  isGranted(): boolean {
    try {
      return existsSync(this.file) && (JSON.parse(readFileSync(this.file, 'utf8')) as { granted?: unknown }).granted === true;
    } catch {
      return false;
    }
  }

  /** One dialog at a time, however many secrets are waiting. */
  ask(): Promise<boolean> {
    this.pending ??= this.showDialog().finally(() => (this.pending = null));
    return this.pending;
  }

  private async showDialog(): Promise<boolean> {
    const options: Electron.MessageBoxOptions = {
      type: 'warning',
      title: 'No system keyring',
      message: 'Pimlico found no system keyring to protect your passwords.',
      detail:
        'Without GNOME Keyring, KWallet or another Secret Service, passwords and tokens can only be stored with a ' +
        'fixed key that any program running as you could undo. Install and unlock a keyring, then restart Pimlico, ' +
        'or store them anyway.',
      buttons: ['Store anyway', 'Cancel'],
      defaultId: 1,
      cancelId: 1,
      noLink: true,
    };
    const parent = this.parentWindow();
    const { response } = parent ? await dialog.showMessageBox(parent, options) : await dialog.showMessageBox(options);
    const granted = response === 0;
    if (granted) writeFileSync(this.file, JSON.stringify({ granted: true, at: new Date().toISOString() }), { mode: 0o600 });
    return granted;
  }
}

/**
 * Secrets through the OS keychain (Keychain, DPAPI, libsecret/kwallet). Runs on the main thread and
 * answers the core worker's BridgedSecretBox.
 */
export class SafeStorageSecretBox {
  constructor(private readonly consent: Pick<WeakStorageConsent, 'isGranted' | 'ask'>) {}

  get backend(): string {
    return process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : 'os-keychain';
  }

  /** On Linux without a keyring Electron falls back to a hard-coded key: the user must agree to that. */
  get isWeak(): boolean {
    return this.backend === 'basic_text';
  }

  async perform(op: SecretOp, input: Buffer): Promise<Buffer> {
    if (op === 'decrypt') return Buffer.from(safeStorage.decryptString(input), 'utf8');
    if (!safeStorage.isEncryptionAvailable()) throw new PimlicoError('Unsupported', 'The system keychain is not available, so the secret was not stored');
    if (this.isWeak && !this.consent.isGranted() && !(await this.consent.ask())) {
      throw new PimlicoError(
        'Forbidden',
        'Not stored: there is no system keyring and storing with weak encryption was declined. Install and unlock a keyring, or agree when asked.',
      );
    }
    return safeStorage.encryptString(input.toString('utf8'));
  }
}
