import type { PimlicoClient } from './index';
import type { PushEventName, PushEventPayload } from './events';

/** What the preload exposes on window.pimlico: one function per call, one subscribe function per push event. */
export interface PimlicoBridge {
  readonly calls: PimlicoClient;
  readonly events: { [K in PushEventName]: (listener: (payload: PushEventPayload<K>) => void) => () => void };
}

export const IPC_CALL_PREFIX = 'pimlico:call:';
export const IPC_EVENT_PREFIX = 'pimlico:event:';
