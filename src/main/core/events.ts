import type { PushEventName, PushEventPayload } from '../../shared/contract';

/** Anything that listens returns one of these, so the owner can stop it deterministically. */
export interface Disposable {
  dispose(): void;
}

export class DisposableStore implements Disposable {
  private readonly items = new Set<Disposable>();
  add<T extends Disposable>(d: T): T {
    this.items.add(d);
    return d;
  }
  dispose(): void {
    for (const d of [...this.items].reverse()) d.dispose();
    this.items.clear();
  }
}

type Listener = (name: PushEventName, payload: unknown) => void;

/** Push events from core to every connected UI (IPC windows, WebSocket clients, notifiers). */
export class CoreEvents {
  private readonly listeners = new Set<Listener>();

  emit<K extends PushEventName>(name: K, payload: PushEventPayload<K>): void {
    for (const l of [...this.listeners]) {
      try {
        l(name, payload);
      } catch (err) {
        console.error(`[events] listener for ${name} failed:`, err);
      }
    }
  }

  on(listener: Listener): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }
}
