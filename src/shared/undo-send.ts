/** Undo send holds each sent message this many seconds (the user's choice within these bounds). */
export const UNDO_SEND_SECONDS = { min: 5, max: 30, default: 10 } as const;

/** A stored or typed delay as a whole number of seconds within the bounds; anything unreadable is the default. */
export function clampUndoSendSeconds(value: unknown): number {
  const n = Number(value);
  return Number.isFinite(n) ? Math.min(UNDO_SEND_SECONDS.max, Math.max(UNDO_SEND_SECONDS.min, Math.round(n))) : UNDO_SEND_SECONDS.default;
}
