import type { Core } from '../../../src/main/core/core';

/**
 * Waits until the task queue has nothing running. A run requested while another is in progress is chained
 * after it and only registers once that one settles, so idle() is awaited until it stays idle.
 */
export async function settleAndClose(core: Core): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await core.tasks.idle();
    await new Promise((resolve) => setImmediate(resolve));
  }
  await core.close();
}
