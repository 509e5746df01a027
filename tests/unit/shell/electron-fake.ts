// Electron's module replaced at the boundary: just enough of each class to record what the shell
// asked for (window options, handlers, menus, notifications). Used through vi.mock('electron').
import { EventEmitter } from 'node:events';

type Handler = (...args: never[]) => unknown;

export class FakeWebContents extends EventEmitter {
  windowOpenHandler: ((details: { url: string }) => { action: 'allow' | 'deny' }) | null = null;
  readonly sent: { channel: string; payload: unknown }[] = [];
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'allow' | 'deny' }): void {
    this.windowOpenHandler = handler;
  }
  send(channel: string, payload: unknown): void {
    this.sent.push({ channel, payload });
  }
  isDestroyed(): boolean {
    return false;
  }
  /** Emits like Electron: returns whether a listener called event.preventDefault(). */
  fire(event: string, ...args: unknown[]): boolean {
    let prevented = false;
    const e = { preventDefault: () => (prevented = true) };
    this.emit(event, e, ...args);
    return prevented;
  }
  /** will-frame-navigate passes one event object carrying the details. */
  fireFrameNavigate(url: string, isMainFrame: boolean): boolean {
    let prevented = false;
    this.emit('will-frame-navigate', { url, isMainFrame, preventDefault: () => (prevented = true) });
    return prevented;
  }
}

export class BrowserWindow extends EventEmitter {
  static readonly created: BrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  constructor(readonly options: Record<string, unknown>) {
    super();
    BrowserWindow.created.push(this);
  }
}

export class Tray extends EventEmitter {
  static readonly created: Tray[] = [];
  tooltip = '';
  title = '';
  menu: { template: MenuTemplateItem[] } | null = null;
  destroyed = false;
  constructor(readonly image: unknown) {
    super();
    Tray.created.push(this);
  }
  setToolTip(t: string): void {
    this.tooltip = t;
  }
  setTitle(t: string): void {
    this.title = t;
  }
  setContextMenu(menu: { template: MenuTemplateItem[] }): void {
    this.menu = menu;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

export interface MenuTemplateItem {
  label?: string;
  type?: string;
  role?: string;
  accelerator?: string;
  click?: Handler;
  submenu?: MenuTemplateItem[];
}

export const Menu = {
  buildFromTemplate: (template: MenuTemplateItem[]) => ({ template }),
  setApplicationMenu: () => undefined,
};

export class Notification extends EventEmitter {
  static supported = true;
  static readonly shown: Notification[] = [];
  static isSupported(): boolean {
    return Notification.supported;
  }
  constructor(readonly options: { title: string; body: string }) {
    super();
  }
  show(): void {
    Notification.shown.push(this);
  }
}

export const safeStorage = {
  backend: 'gnome_libsecret',
  available: true,
  getSelectedStorageBackend(): string {
    return safeStorage.backend;
  },
  isEncryptionAvailable(): boolean {
    return safeStorage.available;
  },
  // A stand-in cipher: reversible and visibly different from the input.
  encryptString(plain: string): Buffer {
    return Buffer.concat([Buffer.from('v11'), Buffer.from(plain, 'utf8').reverse()]);
  },
  decryptString(data: Buffer): string {
    return Buffer.from(data.subarray(3)).reverse().toString('utf8');
  },
};

export const dialog = {
  answers: [] as number[],
  asked: [] as Record<string, unknown>[],
  async showMessageBox(...args: unknown[]): Promise<{ response: number }> {
    dialog.asked.push(args[args.length - 1] as Record<string, unknown>);
    return { response: dialog.answers.shift() ?? 1 };
  },
};

export const protocol = {
  handlers: new Map<string, (request: Request) => Promise<Response>>(),
  privileged: [] as unknown[],
  registerSchemesAsPrivileged(schemes: unknown[]): void {
    protocol.privileged.push(...schemes);
  },
  handle(scheme: string, handler: (request: Request) => Promise<Response>): void {
    protocol.handlers.set(scheme, handler);
  },
};

export const app = {
  quit: () => undefined,
  getPath: () => '/tmp',
};

export const net = {
  // Electron's net.fetch reads file:// URLs; here the real disk is read the same way.
  async fetch(url: string): Promise<Response> {
    const { readFile } = await import('node:fs/promises');
    const { fileURLToPath } = await import('node:url');
    const body = await readFile(fileURLToPath(url));
    return new Response(body, { status: 200, headers: { 'Content-Type': url.endsWith('.html') ? 'text/html' : 'application/octet-stream' } });
  },
};

export default { BrowserWindow, Tray, Menu, Notification, safeStorage, dialog, protocol, app, net };
