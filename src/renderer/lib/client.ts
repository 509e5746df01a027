import type {
  CallName,
  CallRequest,
  CallResponse,
  PimlicoBridge,
  PushEventName,
  PushEventPayload,
  RemoteError,
} from '../../shared/contract';

declare global {
  interface Window {
    pimlico?: PimlicoBridge;
  }
}

type Envelope = { ok: true; result: unknown } | { ok: false; error: RemoteError };

export class CallError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Listener = (payload: unknown) => void;

/** One client for both transports: Electron's preload bridge, or headless mode's WebSocket. */
export interface Transport {
  call(name: CallName, request: unknown): Promise<unknown>;
  on(event: PushEventName, listener: Listener): () => void;
  readonly mode: 'electron' | 'headless';
}

function unwrap(env: Envelope): unknown {
  if (env.ok) return env.result;
  throw new CallError(env.error.code, env.error.message);
}

function electronTransport(bridge: PimlicoBridge): Transport {
  return {
    mode: 'electron',
    call: async (name, request) => unwrap((await (bridge.calls[name] as (r: unknown) => Promise<unknown>)(request)) as Envelope),
    on: (event, listener) => (bridge.events[event] as (l: Listener) => () => void)(listener),
  };
}

const TOKEN_KEY = 'pimlico.token';

/** The token arrives once in the URL fragment (never sent to the server in a URL) and is kept locally. */
export function takeToken(): string | null {
  const m = /(?:^|[#&])token=([^&]+)/.exec(window.location.hash);
  if (m?.[1]) {
    localStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]));
    history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  return localStorage.getItem(TOKEN_KEY);
}

export function forgetToken(): void {
  localStorage.removeItem(TOKEN_KEY);
}

function websocketTransport(token: string): Transport {
  const listeners = new Map<string, Set<Listener>>();
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let socket: WebSocket | null = null;
  let ready: Promise<WebSocket> | null = null;
  let retry = 0;

  const connect = (): Promise<WebSocket> => {
    if (ready) return ready;
    ready = new Promise((resolve, reject) => {
      const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/ws`;
      const ws = new WebSocket(url, ['pimlico', `token.${token}`]);
      ws.onopen = () => {
        retry = 0;
        socket = ws;
        resolve(ws);
        // Anything cached may be stale after a reconnect.
        listeners.get('store.changed')?.forEach((l) => l({ entities: ['accounts', 'folders', 'mail', 'events', 'contacts', 'outbox'] }));
      };
      ws.onmessage = (msg) => {
        const frame = JSON.parse(String(msg.data)) as { id?: number; event?: string; payload?: unknown } & Partial<Envelope>;
        if (frame.event) {
          listeners.get(frame.event)?.forEach((l) => l(frame.payload));
          return;
        }
        const p = frame.id != null ? pending.get(frame.id) : undefined;
        if (!p || frame.id == null) return;
        pending.delete(frame.id);
        try {
          p.resolve(unwrap(frame as Envelope));
        } catch (e) {
          p.reject(e as Error);
        }
      };
      ws.onclose = () => {
        const wasOpen = socket === ws;
        socket = null;
        ready = null;
        for (const [, p] of pending) p.reject(new CallError('Offline', 'Connection to Pimlico lost'));
        pending.clear();
        if (!wasOpen) reject(new CallError('Unauthorized', 'Could not connect to Pimlico (is the token right?)'));
        else setTimeout(() => void connect().catch(() => undefined), Math.min(10_000, 250 * 2 ** retry++));
      };
    });
    return ready;
  };

  return {
    mode: 'headless',
    call: async (name, request) => {
      const ws = socket ?? (await connect());
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        ws.send(JSON.stringify({ id, call: name, payload: request }));
      });
    },
    on: (event, listener) => {
      const set = listeners.get(event) ?? new Set<Listener>();
      set.add(listener);
      listeners.set(event, set);
      void connect().catch(() => undefined);
      return () => set.delete(listener);
    },
  };
}

let transport: Transport | null = null;

export function initTransport(): Transport | null {
  if (transport) return transport;
  if (window.pimlico) transport = electronTransport(window.pimlico);
  else {
    const token = takeToken();
    if (token) transport = websocketTransport(token);
  }
  return transport;
}

/** Typed call: `call('mail.list', { folderId })`. */
export function call<K extends CallName>(name: K, request: CallRequest<K>): Promise<CallResponse<K>> {
  if (!transport) return Promise.reject(new CallError('Unauthorized', 'Not connected'));
  return transport.call(name, request) as Promise<CallResponse<K>>;
}

export function onEvent<K extends PushEventName>(name: K, listener: (payload: PushEventPayload<K>) => void): () => void {
  if (!transport) return () => undefined;
  return transport.on(name, listener as Listener);
}
