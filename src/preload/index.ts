// Runs sandboxed with context isolation. It exposes exactly one function per contract call and one
// subscription per push event: no generic invoke, no ipcRenderer, nothing else from Node or Electron.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { callNames, pushEvents, IPC_CALL_PREFIX, IPC_EVENT_PREFIX, type PushEventName } from '../shared/contract';

const calls = Object.freeze(
  Object.fromEntries(callNames.map((name) => [name, (request: unknown) => ipcRenderer.invoke(IPC_CALL_PREFIX + name, request)])),
);

const events = Object.freeze(
  Object.fromEntries(
    (Object.keys(pushEvents) as PushEventName[]).map((name) => [
      name,
      (listener: (payload: unknown) => void) => {
        const wrapped = (_e: IpcRendererEvent, payload: unknown) => listener(payload);
        ipcRenderer.on(IPC_EVENT_PREFIX + name, wrapped);
        return () => ipcRenderer.removeListener(IPC_EVENT_PREFIX + name, wrapped);
      },
    ]),
  ),
);

contextBridge.exposeInMainWorld('pimlico', { calls, events });
