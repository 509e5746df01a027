import type { MenuItemConstructorOptions } from 'electron';

export type AppView = 'mail' | 'calendar' | 'contacts' | 'settings';

export interface MenuActions {
  compose(): void;
  sync(): void;
  showView(view: AppView): void;
}

/**
 * The native menu bar. Its accelerators are the app-wide ones; single-key shortcuts (j, k, e, z…)
 * belong to the renderer and are not menu items, so they never fire while typing.
 */
export function appMenuTemplate(actions: MenuActions, platform: NodeJS.Platform = process.platform): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [];
  if (mac) {
    template.push({
      label: 'Pimlico',
      submenu: [
        { role: 'about' },
        { type: 'separator' },
        { label: 'Settings…', accelerator: 'Cmd+,', click: () => actions.showView('settings') },
        { type: 'separator' },
        { role: 'services' },
        { type: 'separator' },
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        { type: 'separator' },
        { role: 'quit' },
      ],
    });
  }
  template.push(
    {
      label: mac ? 'File' : '&File',
      submenu: [
        { label: 'New Message', accelerator: 'CmdOrCtrl+N', click: () => actions.compose() },
        { label: 'Sync All Accounts', accelerator: 'CmdOrCtrl+Shift+R', click: () => actions.sync() },
        { type: 'separator' },
        ...(mac
          ? [{ role: 'close' } as const]
          : [{ label: 'Settings', accelerator: 'Ctrl+,', click: () => actions.showView('settings') }, { type: 'separator' } as const, { role: 'quit' } as const]),
      ],
    },
    {
      label: mac ? 'Edit' : '&Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'pasteAndMatchStyle' },
        { role: 'selectAll' },
      ],
    },
    {
      label: mac ? 'View' : '&View',
      submenu: [
        { label: 'Mail', accelerator: 'CmdOrCtrl+1', click: () => actions.showView('mail') },
        { label: 'Calendar', accelerator: 'CmdOrCtrl+2', click: () => actions.showView('calendar') },
        { label: 'Contacts', accelerator: 'CmdOrCtrl+3', click: () => actions.showView('contacts') },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { label: mac ? 'Window' : '&Window', role: 'windowMenu' },
  );
  return template;
}
