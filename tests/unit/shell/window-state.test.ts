import { describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadWindowState, saveWindowState, trackWindowState } from '../../../src/main/window-state';
import { tempDir } from '../../support/core';

const display = { x: 0, y: 0, width: 1920, height: 1080 };
const second = { x: 1920, y: 0, width: 1280, height: 1024 };

describe('remembered window size and position', () => {
  it('restores what was saved, on the display it was on', () => {
    const file = join(tempDir(), 'window-state.json');
    saveWindowState(file, { x: 2000, y: 40, width: 1100, height: 800, maximized: true });
    expect(loadWindowState(file, [display, second])).toEqual({ bounds: { x: 2000, y: 40, width: 1100, height: 800 }, maximized: true });
  });

  it('forgets a position whose display is gone, so the window never opens off-screen', () => {
    const file = join(tempDir(), 'window-state.json');
    saveWindowState(file, { x: 2000, y: 40, width: 1100, height: 800, maximized: false });
    expect(loadWindowState(file, [display])).toBeNull();
  });

  it('shrinks a window that is larger than its display', () => {
    const file = join(tempDir(), 'window-state.json');
    saveWindowState(file, { x: 0, y: 0, width: 3000, height: 2000, maximized: false });
    expect(loadWindowState(file, [display])?.bounds).toEqual({ x: 0, y: 0, width: 1920, height: 1080 });
  });

  it('ignores a missing, damaged or nonsensical file', () => {
    const dir = tempDir();
    expect(loadWindowState(join(dir, 'none.json'), [display])).toBeNull();
    writeFileSync(join(dir, 'bad.json'), '{"x": 1, "y":');
    expect(loadWindowState(join(dir, 'bad.json'), [display])).toBeNull();
    writeFileSync(join(dir, 'tiny.json'), JSON.stringify({ x: 0, y: 0, width: 5, height: 5 }));
    expect(loadWindowState(join(dir, 'tiny.json'), [display])).toBeNull();
  });

  it('saves the normal bounds after moving and when the window closes', async () => {
    const file = join(tempDir(), 'window-state.json');
    const win = Object.assign(new EventEmitter(), {
      bounds: { x: 10, y: 20, width: 900, height: 700 },
      maximized: false,
      getNormalBounds() {
        return this.bounds;
      },
      isMaximized() {
        return this.maximized;
      },
      isDestroyed: () => false,
    });
    trackWindowState(win, file, 5);
    win.emit('move');
    await new Promise((r) => setTimeout(r, 30));
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ x: 10, y: 20, width: 900, height: 700, maximized: false });
    win.bounds = { x: 30.4, y: 40.6, width: 1000, height: 750 };
    win.maximized = true;
    win.emit('close');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ x: 30, y: 41, width: 1000, height: 750, maximized: true });
    expect(existsSync(`${file}.tmp`)).toBe(false);
  });
});
