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
