/**
 * Wraps an async refresh so that at most one runs at a time and any calls made meanwhile cause exactly
 * one more run afterwards. A burst of change events (every key press of a triage session sends some)
 * then costs the core two queries instead of one per event.
 */
export function coalesce(run: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let again = false;
  return () => {
    again = true;
    running ??= (async () => {
      while (again) {
        again = false;
        await run();
      }
    })().finally(() => (running = null));
    return running;
  };
}

/**
 * Defers `run` until events have been quiet for `quietMs`, but never more than `maxWaitMs` after the
 * first of them. During fast triage (a key press every few tens of ms) every press reports changes;
 * refreshing the list and folder counts after each one keeps the core busy exactly when the next
 * message's detail is wanted, so the refreshes wait for a pause instead (the list is already
 * updated optimistically).
 */
export function afterQuiet(run: () => void, quietMs: number, maxWaitMs: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let firstAt: number | null = null;
  return () => {
    const now = Date.now();
    firstAt ??= now;
    clearTimeout(timer);
    timer = setTimeout(
      () => {
        firstAt = null;
        run();
      },
      Math.min(quietMs, Math.max(0, firstAt + maxWaitMs - now)),
    );
  };
}
