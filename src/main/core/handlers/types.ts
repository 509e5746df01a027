import type { z } from 'zod';
import type { CallName, CallResponse, Calls } from '../../../shared/contract';

export type Handler<K extends CallName> = (req: z.output<Calls[K]['request']>) => CallResponse<K> | Promise<CallResponse<K>>;

/** Handlers for a subset of the calls; each feature contributes its own group. */
export type HandlerGroup<K extends CallName> = { [P in K]: Handler<P> };

export type Handlers = { [K in CallName]: Handler<K> };
