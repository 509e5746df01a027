import { Menu, Tray, type MenuItemConstructorOptions, type NativeImage } from 'electron';

export interface TrayActions {
  open(): void;
  compose(): void;
  pauseNotifications(): void;
  resumeNotifications(): void;
  quit(): void;
}

export function trayTooltip(unread: number): string {
  return unread > 0 ? `Pimlico: ${unread} unread` : 'Pimlico';
}

export function trayMenuTemplate(actions: TrayActions, unread: number, notificationsPaused: boolean): MenuItemConstructorOptions[] {
  return [
    { label: unread > 0 ? `Open Pimlico (${unread} unread)` : 'Open Pimlico', click: () => actions.open() },
    { label: 'New Message', click: () => actions.compose() },
    { type: 'separator' },
    notificationsPaused
      ? { label: 'Resume Notifications', click: () => actions.resumeNotifications() }
      : { label: 'Pause Notifications for an Hour', click: () => actions.pauseNotifications() },
    { type: 'separator' },
    { label: 'Quit Pimlico', click: () => actions.quit() },
  ];
}

/** The tray icon: unread count in the tooltip (and the title next to it on macOS), and its menu. */
export class TrayController {
  private readonly tray: Tray;
  private unread = 0;

  constructor(
    icon: NativeImage,
    private readonly actions: TrayActions,
    private readonly notificationsPaused: () => boolean,
  ) {
    this.tray = new Tray(icon);
    // A left click opens the window where the platform sends one (Windows, most Linux trays).
    this.tray.on('click', () => actions.open());
    this.render();
  }

  setUnread(unread: number): void {
    this.unread = unread;
    this.render();
  }

  /** Rebuilds the menu, e.g. after notifications were paused or resumed. */
  render(): void {
    this.tray.setToolTip(trayTooltip(this.unread));
    if (process.platform === 'darwin') this.tray.setTitle(this.unread > 0 ? String(this.unread) : '');
    this.tray.setContextMenu(Menu.buildFromTemplate(trayMenuTemplate(this.actions, this.unread, this.notificationsPaused())));
  }

  destroy(): void {
    this.tray.destroy();
  }
}
