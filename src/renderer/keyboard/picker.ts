import { create } from 'zustand';

export interface PickerItem {
  id: string;
  label: string;
  hint?: string;
}

interface PickerState {
  open: boolean;
  title: string;
  placeholder: string;
  items: PickerItem[];
  onPick: (id: string) => void;
  show(opts: { title: string; placeholder: string; items: PickerItem[]; onPick: (id: string) => void }): void;
  hide(): void;
}

/** One type-to-filter chooser, used by "move to folder" (v). */
export const usePicker = create<PickerState>((set) => ({
  open: false,
  title: '',
  placeholder: '',
  items: [],
  onPick: () => undefined,
  show: (opts) => set({ ...opts, open: true }),
  hide: () => set({ open: false }),
}));

/** Every word typed must appear in the label or hint, in any order, case-insensitive. */
export function filterItems(items: PickerItem[], text: string): PickerItem[] {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return items;
  const scored = items
    .map((item) => {
      const hay = `${item.label} ${item.hint ?? ''}`.toLowerCase();
      if (!words.every((w) => hay.includes(w))) return null;
      return { item, score: hay.startsWith(words[0]!) ? 0 : item.label.toLowerCase().includes(words[0]!) ? 1 : 2 };
    })
    .filter((x): x is { item: PickerItem; score: number } => x !== null);
  return scored.sort((a, b) => a.score - b.score).map((x) => x.item);
}
