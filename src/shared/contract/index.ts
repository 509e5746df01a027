import { type z } from 'zod';
import { appCalls } from './app';
import { automationCalls } from './automation';
import { composeCalls } from './compose';
import { connectionCalls } from './connection';
import { invitationCalls } from './invitations';
import { mailCalls } from './mail';
import { pimCalls } from './pim';

export { call, type CallSpec } from './define';
export { pushEvents, type PushEventName, type PushEventPayload } from './events';

/** Every call the renderer can make. Each feature declares its calls in its own file. */
export const calls = { ...appCalls, ...mailCalls, ...pimCalls, ...composeCalls, ...automationCalls, ...connectionCalls, ...invitationCalls } as const;

export type Calls = typeof calls;
export type CallName = keyof Calls;
export type CallRequest<K extends CallName> = z.input<Calls[K]['request']>;
export type CallResponse<K extends CallName> = z.output<Calls[K]['response']>;
export const callNames = Object.keys(calls) as CallName[];

/** The typed client both transports (Electron IPC and headless WebSocket) provide to the renderer. */
export type PimlicoClient = { [K in CallName]: (request: CallRequest<K>) => Promise<CallResponse<K>> };

/** Error shape that crosses the boundary; `code` is stable, `message` is for people. */
export interface RemoteError {
  code: string;
  message: string;
}

export { IPC_CALL_PREFIX, IPC_EVENT_PREFIX, type PimlicoBridge } from './bridge';
