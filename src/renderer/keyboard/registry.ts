import { create } from 'zustand';
import { call } from '../lib/client';
import { type KeyBinding, normaliseBinding } from './keys';

/** Where an action is offered: everywhere, or only while the mail view is shown. */
export type ActionScope = 'global' | 'mail' | 'compose';

export interface Action {
  id: string;
  label: string;
  group: string;
  /** Default key bindings; the user may replace them (stored with settings.set). */
  keys: KeyBinding[];
  scope: ActionScope;
  /** Also runs while the focus is in a text field (Escape, Ctrl+Enter, Ctrl+K). */
  inInputs?: boolean;
  run(): void;
}

export const BINDINGS_SETTING = 'keyboard.bindings';

interface ShortcutState {
  actions: Action[];
  /** User overrides: action id → bindings. */
  overrides: Record<string, KeyBinding[]>;
  overlayOpen: boolean;
  paletteOpen: boolean;
  register(actions: Action[]): () => void;
  bindingsOf(id: string): KeyBinding[];
  loadOverrides(settings: Record<string, unknown>): void;
  rebind(id: string, bindings: string[]): Promise<void>;
  resetBindings(): Promise<void>;
  setOverlay(open: boolean): void;
  setPalette(open: boolean): void;
}

export const useShortcuts = create<ShortcutState>((set, get) => ({
  actions: [],
  overrides: {},
  overlayOpen: false,
  paletteOpen: false,
  register: (actions) => {
    const ids = new Set(actions.map((a) => a.id));
    set({ actions: [...get().actions.filter((a) => !ids.has(a.id)), ...actions] });
    return () => set({ actions: get().actions.filter((a) => !ids.has(a.id) || !actions.includes(a)) });
  },
  bindingsOf: (id) => get().overrides[id] ?? get().actions.find((a) => a.id === id)?.keys ?? [],
  loadOverrides: (settings) => {
    const raw = settings[BINDINGS_SETTING];
    if (!raw || typeof raw !== 'object') return;
    const overrides: Record<string, KeyBinding[]> = {};
    for (const [id, v] of Object.entries(raw as Record<string, unknown>)) {
      if (Array.isArray(v)) overrides[id] = v.filter((b): b is string => typeof b === 'string').map(normaliseBinding).filter(Boolean);
    }
    set({ overrides });
  },
  rebind: async (id, bindings) => {
    const overrides = { ...get().overrides, [id]: bindings.map(normaliseBinding).filter(Boolean) };
    set({ overrides });
    await call('settings.set', { key: BINDINGS_SETTING, value: overrides });
  },
  resetBindings: async () => {
    set({ overrides: {} });
    await call('settings.set', { key: BINDINGS_SETTING, value: {} });
  },
  setOverlay: (overlayOpen) => set({ overlayOpen, paletteOpen: false }),
  setPalette: (paletteOpen) => set({ paletteOpen, overlayOpen: false }),
}));

/** Finds the action bound to a key sequence, and whether the sequence could still grow into one ("g" before "g i"). */
export function resolveSequence(
  actions: Action[],
  bindingsOf: (id: string) => KeyBinding[],
  sequence: string[],
  inScope: (a: Action) => boolean,
): { action: Action | null; partial: boolean } {
  const typed = sequence.join(' ');
  let partial = false;
  for (const a of actions) {
    if (!inScope(a)) continue;
    for (const b of bindingsOf(a.id)) {
      if (b === typed) return { action: a, partial: false };
      if (b.startsWith(`${typed} `)) partial = true;
    }
  }
  return { action: null, partial };
}
