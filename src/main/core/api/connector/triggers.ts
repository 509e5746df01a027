import { canonicalJson, pruneChangeLog, TriggerStateRepo } from '../../triggers';
import { HttpError, type ApiResponse } from '../http';
import type { OperationContext } from './operation';

// The Logic Apps polling contract: the first call records a watermark and answers 202 with a
// Location (this route plus triggerState) and Retry-After; a call to that Location answers 200 with
// what is new and a new Location, or 202 when nothing is new. States live in SQLite, so a restart
// loses nothing, and they are immutable, so retrying an old Location answers the same batch again.

export const RETRY_AFTER_SECONDS = 60;
export const TRIGGER_STATE_PARAM = 'triggerState';

export interface PollDefinition<W, T> {
  trigger: string;
  /** What the state is bound to (account, folder/table, filters): a state answers only that query. */
  params: unknown;
  start: () => W;
  step: (watermark: W) => { items: T[]; watermark: W };
  toBody: (items: T[]) => unknown;
  /** Whether a 202 should move the client to a new state; default: whenever the watermark changed. */
  worthSaving?: (previous: W, next: W) => boolean;
}

let lastPrune = 0;

function location(ctx: OperationContext, stateId: string): string {
  const query = new URLSearchParams(ctx.req.query);
  query.delete(TRIGGER_STATE_PARAM);
  query.set(TRIGGER_STATE_PARAM, stateId);
  const host = ctx.req.headers.host ?? '127.0.0.1';
  return `http://${host}${ctx.req.path}?${query.toString()}`;
}

export function poll<W, T>(ctx: OperationContext, def: PollDefinition<W, T>): ApiResponse {
  const core = ctx.core;
  const states = new TriggerStateRepo(core.store.db);
  const now = core.now();
  if (now - lastPrune > 3600_000) {
    lastPrune = now;
    states.prune(now);
    pruneChangeLog(core.store.db, now);
  }
  const params = canonicalJson(def.params);
  const headers = (id: string) => ({ Location: location(ctx, id), 'Retry-After': String(RETRY_AFTER_SECONDS) });
  const given = ctx.req.query.get(TRIGGER_STATE_PARAM);
  if (!given) {
    const id = states.create(def.trigger, params, def.start(), now);
    return { status: 202, headers: headers(id) };
  }
  const state = states.get<W>(given, now);
  if (!state) throw new HttpError(400, 'InvalidTriggerState', `Unknown or expired triggerState '${given.slice(0, 80)}'; call the trigger without it to start again`);
  if (state.trigger !== def.trigger || state.params !== params) {
    throw new HttpError(400, 'InvalidTriggerState', `This triggerState belongs to a different trigger or query; call the Location it came with`);
  }
  const step = def.step(state.watermark);
  const changed = canonicalJson(step.watermark) !== canonicalJson(state.watermark);
  if (step.items.length === 0) {
    const save = changed && (def.worthSaving ? def.worthSaving(state.watermark, step.watermark) : true);
    return { status: 202, headers: headers(save ? states.create(def.trigger, params, step.watermark, now) : state.id) };
  }
  const id = states.create(def.trigger, params, step.watermark, now);
  return { status: 200, headers: headers(id), body: def.toBody(step.items) };
}
