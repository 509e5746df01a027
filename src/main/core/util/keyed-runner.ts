/**
 * One drain per key at a time. A call made while a drain runs gets one more drain after it (shared
 * by every such call), so work queued meanwhile is not left waiting for the next trigger; idle()
 * waits for both.
 */
export class KeyedRunner {
  private readonly running = new Map<string, Promise<number>>();
  private readonly queued = new Map<string, Promise<number>>();

  constructor(private readonly drain: (key: string) => Promise<number>) {}

  run(key: string): Promise<number> {
    const existing = this.running.get(key);
    if (existing) {
      const next =
        this.queued.get(key) ??
        existing.then(
          () => this.afterCurrent(key),
          () => this.afterCurrent(key),
        );
      this.queued.set(key, next);
      return next;
    }
    const p = this.drain(key).finally(() => this.running.delete(key));
    this.running.set(key, p);
    return p;
  }

  private afterCurrent(key: string): Promise<number> {
    this.queued.delete(key);
    return this.run(key);
  }

  async idle(): Promise<void> {
    while (this.running.size || this.queued.size) await Promise.allSettled([...this.running.values(), ...this.queued.values()]);
  }
}
