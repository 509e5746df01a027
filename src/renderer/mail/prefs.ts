import { create } from 'zustand';
import { call } from '../lib/client';
import { clampUndoSendSeconds, UNDO_SEND_SECONDS } from '../../shared/undo-send';

export type Theme = 'system' | 'light' | 'dark';
export type Density = 'comfortable' | 'compact';

/** The choices offered wherever the theme or the density is set (Settings and the mail settings dialog). */
export const THEME_CHOICES: readonly { value: Theme; label: string }[] = [
  { value: 'system', label: 'Follow the system' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];
export const DENSITY_CHOICES: readonly { value: Density; label: string }[] = [
  { value: 'comfortable', label: 'Comfortable' },
  { value: 'compact', label: 'Compact' },
];

/** Display and privacy preferences, kept in settings so every window and restart sees the same. */
interface PrefsState {
  theme: Theme;
  density: Density;
  /** Percent; applied as the root font size so every rem-based size follows. */
  zoom: number;
  threads: boolean;
  undoSendSeconds: number;
  signatures: Record<string, string>;
  remoteSenders: string[];
  remoteMessages: string[];
  /** The mail settings dialog (signatures, undo send, look). */
  dialogOpen: boolean;
  setDialogOpen(open: boolean): void;
  load(settings: Record<string, unknown>): void;
  setPref<K extends PrefKey>(key: K, value: PrefsState[K]): Promise<void>;
}

type PrefKey = 'theme' | 'density' | 'zoom' | 'threads' | 'undoSendSeconds' | 'signatures' | 'remoteSenders' | 'remoteMessages';

export const PREF_SETTING: Record<PrefKey, string> = {
  theme: 'ui.theme',
  density: 'ui.density',
  zoom: 'ui.zoom',
  threads: 'mail.threads',
  undoSendSeconds: 'compose.undoSendSeconds',
  signatures: 'compose.signatures',
  remoteSenders: 'mail.remoteContent.senders',
  remoteMessages: 'mail.remoteContent.messages',
};

function applyToDocument(s: Pick<PrefsState, 'theme' | 'density' | 'zoom'>): void {
  const root = document.documentElement;
  if (s.theme === 'system') delete root.dataset.theme;
  else root.dataset.theme = s.theme;
  root.dataset.density = s.density;
  root.style.fontSize = `${(14 * s.zoom) / 100}px`;
}

export function isDark(theme: Theme): boolean {
  if (theme !== 'system') return theme === 'dark';
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export const usePrefs = create<PrefsState>((set, get) => ({
  theme: 'system',
  density: 'comfortable',
  zoom: 100,
  threads: false,
  undoSendSeconds: UNDO_SEND_SECONDS.default,
  signatures: {},
  remoteSenders: [],
  remoteMessages: [],
  dialogOpen: false,
  setDialogOpen: (dialogOpen) => set({ dialogOpen }),
  load: (s) => {
    const theme = THEME_CHOICES.find((c) => c.value === s[PREF_SETTING.theme])?.value ?? 'system';
    const density = DENSITY_CHOICES.find((c) => c.value === s[PREF_SETTING.density])?.value ?? 'comfortable';
    const zoomRaw = Number(s[PREF_SETTING.zoom]);
    const zoom = Number.isFinite(zoomRaw) && zoomRaw >= 50 && zoomRaw <= 300 ? zoomRaw : 100;
    const undoSendSeconds = clampUndoSendSeconds(s[PREF_SETTING.undoSendSeconds]);
    const sig = s[PREF_SETTING.signatures];
    const signatures = sig && typeof sig === 'object' ? Object.fromEntries(Object.entries(sig).filter(([, v]) => typeof v === 'string')) : {};
    set({
      theme,
      density,
      zoom,
      threads: s[PREF_SETTING.threads] === true,
      undoSendSeconds,
      signatures: signatures as Record<string, string>,
      remoteSenders: strings(s[PREF_SETTING.remoteSenders]),
      remoteMessages: strings(s[PREF_SETTING.remoteMessages]),
    });
    applyToDocument(get());
  },
  setPref: async (key, value) => {
    set({ [key]: value } as Partial<PrefsState>);
    applyToDocument(get());
    await call('settings.set', { key: PREF_SETTING[key], value });
  },
}));
