import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', async () => {
  const fake = await import('./electron-fake');
  return { ...fake, ipcMain: { removeHandler: () => undefined, removeAllListeners: () => undefined } };
});

/** electron-log replaced too: what would be written to main.log is collected here. */
const written: { scope: string; level: string; args: unknown[] }[] = [];
vi.mock('electron-log/main', () => ({
  default: {
    scope: (scope: string) =>
      Object.fromEntries(['debug', 'info', 'warn', 'error'].map((level) => [level, (...args: unknown[]) => written.push({ scope, level, args })])),
    transports: { file: { getFile: () => ({ path: '/home/me/.config/Pimlico/logs/main.log' }) } },
  },
}));

import { dialog } from './electron-fake';
import { electronLogger, FaultReporter } from '../../../src/main/crash';

describe('error logging', () => {
  beforeEach(() => written.splice(0));

  it('writes to electron-log with secrets stripped from data and text', () => {
    const log = electronLogger('pimlico').child('core');
    log.error('login failed for https://me:hunter2@imap.example.com', { password: 'hunter2', account: 'acc_1', detail: 'Authorization: Bearer abc.def' });
    expect(written).toHaveLength(1);
    expect(written[0]!.scope).toBe('pimlico:core');
    expect(written[0]!.level).toBe('error');
    const text = JSON.stringify(written[0]!.args);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('abc.def');
    expect(text).toContain('acc_1');
  });
});

describe('faults shown to the user', () => {
  beforeEach(() => {
    dialog.asked = [];
    dialog.answers = [];
  });

  it('offers a restart when the core stopped, and restarts on request', async () => {
    const restarts: number[] = [];
    const reporter = new FaultReporter(electronLogger('test'), () => restarts.push(1));
    dialog.answers = [0];
    await reporter.report({ fatal: true, message: 'database disk image is malformed' });
    expect(dialog.asked).toHaveLength(1);
    expect(dialog.asked[0]).toMatchObject({ type: 'error', buttons: ['Restart Pimlico', 'Quit'], message: 'Pimlico’s mail engine stopped.' });
    expect(String(dialog.asked[0]!.detail)).toContain('database disk image is malformed');
    expect(String(dialog.asked[0]!.detail)).toContain('main.log');
    expect(restarts).toEqual([1]);
  });

  it('shows each non-fatal error once, without secrets', async () => {
    const reporter = new FaultReporter(electronLogger('test'), () => undefined);
    await reporter.report({ fatal: false, message: 'token=s3cr3t rejected' });
    await reporter.report({ fatal: false, message: 'token=s3cr3t rejected' });
    expect(dialog.asked).toHaveLength(1);
    expect(JSON.stringify(dialog.asked[0])).not.toContain('s3cr3t');
  });
});
