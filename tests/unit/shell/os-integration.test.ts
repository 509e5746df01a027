import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./electron-fake'));

import { Notification, Tray, type MenuTemplateItem } from './electron-fake';
import type { NativeImage } from 'electron';
import { appMenuTemplate, type AppView } from '../../../src/main/menu';
import { Notifier, PAUSE_MS, type NotificationTarget } from '../../../src/main/notifications';
import { TrayController } from '../../../src/main/tray';

function flatten(items: MenuTemplateItem[]): MenuTemplateItem[] {
  return items.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? flatten(i.submenu) : [])]);
}

describe('tray', () => {
  const calls: string[] = [];
  let paused = false;
  const actions = {
    open: () => calls.push('open'),
    compose: () => calls.push('compose'),
    pauseNotifications: () => calls.push('pause'),
    resumeNotifications: () => calls.push('resume'),
    quit: () => calls.push('quit'),
  };

  beforeEach(() => {
    calls.length = 0;
    paused = false;
    Tray.created.splice(0);
  });

  it('shows the unread count and offers open, compose, pause for an hour and quit', () => {
    const controller = new TrayController({} as NativeImage, actions, () => paused);
    const tray = Tray.created[0]!;
    expect(tray.tooltip).toBe('Pimlico');
    controller.setUnread(7);
    expect(tray.tooltip).toBe('Pimlico: 7 unread');
    const items = tray.menu!.template.filter((i) => i.type !== 'separator');
    expect(items.map((i) => i.label)).toEqual(['Open Pimlico (7 unread)', 'New Message', 'Pause Notifications for an Hour', 'Quit Pimlico']);
    for (const item of items) item.click!();
    expect(calls).toEqual(['open', 'compose', 'pause', 'quit']);
    tray.emit('click');
    expect(calls.at(-1)).toBe('open');
  });

  it('offers to resume while notifications are paused', () => {
    const controller = new TrayController({} as NativeImage, actions, () => paused);
    paused = true;
    controller.render();
    const labels = Tray.created[0]!.menu!.template.map((i) => i.label);
    expect(labels).toContain('Resume Notifications');
    expect(labels).not.toContain('Pause Notifications for an Hour');
  });
});

describe('OS notifications', () => {
  beforeEach(() => {
    Notification.shown.splice(0);
    Notification.supported = true;
  });

  it('shows the core’s notification and opens its item on click', () => {
    const opened: (NotificationTarget | null)[] = [];
    const notifier = new Notifier((t) => opened.push(t));
    const shown = notifier.show({ id: 'n1', title: 'Alice', body: 'Lunch?', target: { kind: 'message', id: 'msg_1' } });
    expect(shown).toBe(true);
    expect(Notification.shown[0]!.options).toMatchObject({ title: 'Alice', body: 'Lunch?' });
    Notification.shown[0]!.emit('click');
    expect(opened).toEqual([{ kind: 'message', id: 'msg_1' }]);
  });

  it('stays quiet for exactly an hour when paused, then shows again', () => {
    let now = 1_000_000;
    const notifier = new Notifier(() => undefined, () => now);
    notifier.pauseForAnHour();
    expect(notifier.show({ id: 'n', title: 't', body: 'b', target: null })).toBe(false);
    now += PAUSE_MS - 1;
    expect(notifier.paused).toBe(true);
    now += 1;
    expect(notifier.paused).toBe(false);
    expect(notifier.show({ id: 'n', title: 't', body: 'b', target: null })).toBe(true);
    notifier.pauseForAnHour();
    notifier.resume();
    expect(notifier.paused).toBe(false);
  });

  it('does nothing where the OS has no notifications', () => {
    Notification.supported = false;
    expect(new Notifier(() => undefined).show({ id: 'n', title: 't', body: 'b', target: null })).toBe(false);
    expect(Notification.shown).toEqual([]);
  });
});

describe('native menus', () => {
  for (const platform of ['linux', 'win32', 'darwin'] as const) {
    it(`has the app-wide accelerators on ${platform}`, () => {
      const calls: string[] = [];
      const template = appMenuTemplate(
        { compose: () => calls.push('compose'), sync: () => calls.push('sync'), showView: (v: AppView) => calls.push(v) },
        platform,
      ) as MenuTemplateItem[];
      const items = flatten(template);
      const byAccelerator = new Map(items.filter((i) => i.accelerator).map((i) => [i.accelerator!, i]));
      byAccelerator.get('CmdOrCtrl+N')!.click!();
      byAccelerator.get('CmdOrCtrl+Shift+R')!.click!();
      byAccelerator.get('CmdOrCtrl+1')!.click!();
      byAccelerator.get('CmdOrCtrl+2')!.click!();
      byAccelerator.get('CmdOrCtrl+3')!.click!();
      byAccelerator.get(platform === 'darwin' ? 'Cmd+,' : 'Ctrl+,')!.click!();
      expect(calls).toEqual(['compose', 'sync', 'mail', 'calendar', 'contacts', 'settings']);
      const roles = items.map((i) => i.role).filter(Boolean);
      expect(roles).toEqual(expect.arrayContaining(['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll', 'togglefullscreen']));
      // No accelerator is a bare key: those belong to the renderer's shortcuts and would fire while typing.
      for (const acc of byAccelerator.keys()) expect(acc).toMatch(/^(CmdOrCtrl|Cmd|Ctrl)\+/);
      // No reload or devtools in a shipped app.
      expect(roles).not.toContain('reload');
      expect(roles).not.toContain('toggleDevTools');
    });
  }
});
