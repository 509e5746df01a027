import { app, dialog, ipcMain } from 'electron';
import electronLog from 'electron-log/main';
import { errorMessage } from './core/util/errors';
import { redact, type Logger } from './core/util/log';
import { redactText } from './redact-text';
import type { CoreFault } from './core-host';

type Level = 'debug' | 'info' | 'warn' | 'error';

/**
 * electron-log registers an IPC channel for renderer logging as soon as it is imported, with no
 * sender check. Our renderer does not log through it, so it is closed: every IPC handler of the app
 * must check its sender, and this one cannot.
 */
export const ELECTRON_LOG_CHANNEL = '__ELECTRON_LOG__';
ipcMain.removeHandler(ELECTRON_LOG_CHANNEL);
ipcMain.removeAllListeners(ELECTRON_LOG_CHANNEL);

/** The shell's and the core's log, in electron-log's file (main.log in the app's logs folder), secrets stripped. */
export function electronLogger(scope = 'pimlico'): Logger {
  const scoped = electronLog.scope(scope);
  const write = (level: Level, msg: string, data?: Record<string, unknown>) => {
    const cleanMsg = redactText(msg);
    if (data) scoped[level](cleanMsg, JSON.parse(redactText(JSON.stringify(redact(data)))) as unknown);
    else scoped[level](cleanMsg);
  };
  return {
    debug: (m, d) => write('debug', m, d),
    info: (m, d) => write('info', m, d),
    warn: (m, d) => write('warn', m, d),
    error: (m, d) => write('error', m, d),
    child: (s) => electronLogger(`${scope}:${s}`),
  };
}

export function logFilePath(): string {
  try {
    return electronLog.transports.file.getFile().path;
  } catch {
    return app.getPath('logs');
  }
}

/**
 * Tells the user what went wrong instead of leaving a blank or frozen window. A fatal core fault
 * offers a restart; other errors are reported once each (they repeat in loops otherwise).
 */
export class FaultReporter {
  private readonly shown = new Set<string>();
  private dialogOpen = false;

  constructor(
    private readonly log: Logger,
    private readonly restart: () => void,
  ) {}

  async report(fault: CoreFault): Promise<void> {
    const message = redactText(fault.message);
    if (!fault.fatal && this.shown.has(message)) return;
    this.shown.add(message);
    if (this.dialogOpen) return;
    this.dialogOpen = true;
    try {
      const { response } = await dialog.showMessageBox({
        type: 'error',
        title: 'Pimlico',
        message: fault.fatal ? 'Pimlico’s mail engine stopped.' : 'Something went wrong in Pimlico.',
        detail: `${message}\n\nDetails are in ${logFilePath()}.${fault.fatal ? '\nYour mail, drafts and outbox are safe on disk.' : ''}`,
        buttons: fault.fatal ? ['Restart Pimlico', 'Quit'] : ['OK'],
        defaultId: 0,
        noLink: true,
      });
      if (fault.fatal) {
        if (response === 0) this.restart();
        else app.quit();
      }
    } finally {
      this.dialogOpen = false;
    }
  }

  /** Uncaught errors of the main process itself: logged and shown, the app keeps running. */
  installProcessHandlers(): void {
    process.on('uncaughtException', (err) => {
      this.log.error('uncaught exception in the main process', { message: errorMessage(err), stack: err.stack });
      void this.report({ fatal: false, message: errorMessage(err) });
    });
    process.on('unhandledRejection', (reason) => {
      this.log.error('unhandled rejection in the main process', { message: errorMessage(reason) });
      void this.report({ fatal: false, message: errorMessage(reason) });
    });
  }
}
