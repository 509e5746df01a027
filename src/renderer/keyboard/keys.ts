/**
 * Key names as people write them in the `?` overlay and in rebinding: "j", "#", "shift+u", "mod+k",
 * "mod+enter", "escape", and sequences such as "g i" (two presses). "mod" is Ctrl, or Cmd on a Mac.
 */
export type KeyChord = string;
export type KeyBinding = string;

const NAMED: Record<string, string> = { Enter: 'enter', Escape: 'escape', ' ': 'space', ArrowDown: 'down', ArrowUp: 'up', Tab: 'tab', Backspace: 'backspace', Delete: 'delete' };

/** The chord one key press makes, or null for a bare modifier press. */
export function chordOf(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey'>): KeyChord | null {
  if (['Shift', 'Control', 'Meta', 'Alt', 'CapsLock', 'Dead'].includes(e.key)) return null;
  let key = NAMED[e.key] ?? e.key;
  const parts: string[] = [];
  if (e.ctrlKey || e.metaKey) parts.push('mod');
  if (e.altKey) parts.push('alt');
  // Letters carry shift explicitly ("shift+u"); symbols already are the shifted character ("#", "!", "?").
  if (/^[a-z]$/i.test(key)) {
    if (e.shiftKey) parts.push('shift');
    key = key.toLowerCase();
  } else if (e.shiftKey && key.length > 1) parts.push('shift');
  parts.push(key);
  return parts.join('+');
}

/** A binding as typed by a person, normalised: "Shift+U" → "shift+u", "Ctrl+K" → "mod+k", "g  i" → "g i". */
export function normaliseBinding(text: string): KeyBinding {
  return text
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map((chord) =>
      chord
        .split('+')
        .map((p) => p.toLowerCase())
        .map((p) => (p === 'ctrl' || p === 'cmd' || p === 'meta' || p === 'control' ? 'mod' : p === 'esc' ? 'escape' : p === 'return' ? 'enter' : p))
        .join('+'),
    )
    .join(' ');
}

/** How a binding is shown: "mod+enter" reads "Ctrl+Enter" (or "⌘+Enter" on a Mac). */
export function displayBinding(binding: KeyBinding, isMac = typeof navigator !== 'undefined' && /Mac/.test(navigator.platform)): string {
  return binding
    .split(' ')
    .map((chord) =>
      chord
        .split('+')
        .map((p) => (p === 'mod' ? (isMac ? '⌘' : 'Ctrl') : p === 'shift' ? 'Shift' : p === 'alt' ? 'Alt' : p.length === 1 ? p : p[0]!.toUpperCase() + p.slice(1)))
        .join('+'),
    )
    .join(' then ');
}
