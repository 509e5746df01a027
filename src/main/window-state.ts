import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import type { WindowBounds } from './window';

const Saved = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().min(200).max(20_000),
  height: z.number().int().min(150).max(20_000),
  maximized: z.boolean().default(false),
});
export type SavedWindowState = z.infer<typeof Saved>;

export interface Area {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Enough of the window to be grabbed: a title bar's worth inside some display. */
const MIN_VISIBLE = 80;

function visibleOn(bounds: Area, area: Area): boolean {
  const w = Math.min(bounds.x + bounds.width, area.x + area.width) - Math.max(bounds.x, area.x);
  const h = Math.min(bounds.y + bounds.height, area.y + area.height) - Math.max(bounds.y, area.y);
  return w >= MIN_VISIBLE && h >= MIN_VISIBLE;
}

/**
 * The saved size and position, if it is valid and still lands on a connected display (a monitor may
 * have gone since); otherwise null and the window opens at its default size, centred.
 */
export function loadWindowState(file: string, workAreas: readonly Area[]): { bounds: WindowBounds; maximized: boolean } | null {
  if (!existsSync(file)) return null;
  let parsed: SavedWindowState;
  try {
    const result = Saved.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!result.success) return null;
    parsed = result.data;
  } catch {
    return null;
  }
  const { maximized, ...bounds } = parsed;
  const fitting = workAreas.find((a) => visibleOn(bounds, a));
  if (!fitting) return null;
  // Never bigger than the display it is on.
  return { bounds: { ...bounds, width: Math.min(bounds.width, fitting.width), height: Math.min(bounds.height, fitting.height) }, maximized };
}

/** Written to a temporary file first, so a crash mid-write never leaves half a file. */
export function saveWindowState(file: string, state: SavedWindowState): void {
  const checked = Saved.parse({ ...state, x: Math.round(state.x), y: Math.round(state.y), width: Math.round(state.width), height: Math.round(state.height) });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(checked));
  renameSync(tmp, file);
}

export interface TrackedWindow {
  getNormalBounds(): Area;
  isMaximized(): boolean;
  isDestroyed(): boolean;
  on(event: 'resize' | 'move' | 'maximize' | 'unmaximize' | 'close', listener: () => void): unknown;
}

/** Saves the window's normal (unmaximised) bounds shortly after it stops moving, and when it closes. */
export function trackWindowState(win: TrackedWindow, file: string, delayMs = 500): void {
  let timer: NodeJS.Timeout | undefined;
  const save = () => {
    clearTimeout(timer);
    if (win.isDestroyed()) return;
    saveWindowState(file, { ...win.getNormalBounds(), maximized: win.isMaximized() });
  };
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(save, delayMs);
  };
  for (const e of ['resize', 'move', 'maximize', 'unmaximize'] as const) win.on(e, later);
  win.on('close', save);
}
