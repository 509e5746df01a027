/**
 * JSON batching (POST /v1.0/$batch).
 *
 * Graph runs the inner requests of a batch in parallel unless `dependsOn` orders them,
 * and evaluates each one against throttling limits on its own: independent requests to
 * one mailbox beyond the concurrency limit come back as inner 429s. The emulator
 * dispatches all independent requests at once (deterministically, in array order),
 * so a batch with more than `maxConcurrentPerMailbox` independent requests to the same
 * mailbox sees inner 429 ApplicationThrottled responses, as clients must expect from Graph.
 */
import { z } from 'zod';
import { badRequest, GraphError, json, type GraphResponse } from './response';
import { readJson } from './schemas';

/** Graph's limit on requests per batch. */
export const MAX_BATCH = 20;

export interface InnerRequest {
  method: string;
  /** Path after /v1.0, e.g. "/me/messages". */
  path: string;
  search: URLSearchParams;
  headers: Record<string, string>;
  body: Buffer;
}

const batchIn = z.object({
  requests: z.array(
    z.strictObject({
      id: z.string().min(1),
      method: z.string(),
      url: z.string(),
      headers: z.record(z.string(), z.string()).optional(),
      body: z.unknown().optional(),
      dependsOn: z.array(z.string()).optional(),
    }),
  ),
});
type BatchItem = z.output<typeof batchIn>['requests'][number];

/** Dependency order; rejects unknown ids and cycles. */
function topoOrder(items: BatchItem[]): BatchItem[] {
  const byId = new Map(items.map((r) => [r.id, r]));
  const out: BatchItem[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (r: BatchItem): void => {
    const s = state.get(r.id);
    if (s === 'done') return;
    if (s === 'visiting') throw badRequest(`The dependsOn chain of request '${r.id}' contains a cycle.`);
    state.set(r.id, 'visiting');
    for (const d of r.dependsOn ?? []) {
      const dep = byId.get(d);
      if (!dep) throw badRequest(`Request '${r.id}' depends on an unknown request id '${d}'.`);
      visit(dep);
    }
    state.set(r.id, 'done');
    out.push(r);
  };
  items.forEach(visit);
  return out;
}

function innerBody(r: BatchItem, contentType: string | undefined): Buffer {
  if (r.body === undefined) return Buffer.alloc(0);
  if (contentType && /json/i.test(contentType)) return Buffer.from(JSON.stringify(r.body));
  // Non-JSON inner bodies are base64-encoded in the batch payload.
  return typeof r.body === 'string' ? Buffer.from(r.body, 'base64') : Buffer.from(JSON.stringify(r.body));
}

function toBatchResponse(id: string, res: GraphResponse): Record<string, unknown> {
  const headers: Record<string, string> = { ...res.headers };
  const out: Record<string, unknown> = { id, status: res.status, headers };
  switch (res.body.kind) {
    case 'json':
      headers['Content-Type'] =
        'application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8';
      out['body'] = res.body.value;
      break;
    case 'bytes':
      // Binary inner responses are base64-encoded.
      headers['Content-Type'] = res.body.contentType;
      out['body'] = res.body.value.toString('base64');
      break;
    case 'text':
      headers['Content-Type'] = 'text/plain';
      out['body'] = res.body.value;
      break;
    case 'none':
      break;
  }
  return out;
}

export async function runBatch(
  outer: InnerRequest,
  dispatch: (req: InnerRequest, batchRequestId: string) => Promise<GraphResponse>,
): Promise<GraphResponse> {
  const parsed = batchIn.safeParse(readJson(outer.body, outer.headers['content-type']));
  if (!parsed.success) throw badRequest('Invalid batch payload format.');
  const items = parsed.data.requests;
  if (items.length === 0) throw badRequest('The batch request must contain at least one request.');
  if (items.length > MAX_BATCH)
    throw badRequest(`Number of batch requests exceeds the limit of ${MAX_BATCH}.`);
  if (new Set(items.map((r) => r.id)).size !== items.length)
    throw badRequest('Batch request ids must be unique.');
  for (const r of items) {
    if (/^[a-z]+:\/\//i.test(r.url))
      throw badRequest(`Invalid request URL '${r.url}': batch request URLs must be relative.`);
    if (!/^(GET|POST|PATCH|PUT|DELETE)$/i.test(r.method))
      throw badRequest(`Invalid method '${r.method}' in request '${r.id}'.`);
    const hasType = Object.keys(r.headers ?? {}).some((h) => h.toLowerCase() === 'content-type');
    if (r.body !== undefined && !hasType) {
      throw badRequest(`Write request id : ${r.id} does not contain Content-Type header or body.`);
    }
  }

  const results = new Map<string, Promise<GraphResponse>>();
  const run = (r: BatchItem): Promise<GraphResponse> => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = v;
    // Inner requests run with the batch's credentials.
    if (outer.headers['authorization']) headers['authorization'] = outer.headers['authorization'];
    const u = new URL(r.url.startsWith('/') ? r.url : `/${r.url}`, 'http://batch.invalid');
    return dispatch(
      {
        method: r.method.toUpperCase(),
        path: u.pathname,
        search: u.searchParams,
        headers,
        body: innerBody(r, headers['content-type']),
      },
      r.id,
    );
  };
  for (const r of topoOrder(items)) {
    const deps = (r.dependsOn ?? []).map((d) => results.get(d) ?? Promise.reject(new Error(`missing ${d}`)));
    if (deps.length === 0) {
      results.set(r.id, run(r));
    } else {
      results.set(
        r.id,
        Promise.all(deps).then((done) =>
          done.some((d) => d.status >= 400)
            ? json(424, {
                error: {
                  code: 'FailedDependency',
                  message: 'The request was not executed because a request it depends on failed.',
                },
              })
            : run(r),
        ),
      );
    }
  }
  const responses = await Promise.all(
    items.map(async (r) =>
      toBatchResponse(
        r.id,
        await (results.get(r.id) ??
          Promise.reject(new GraphError(500, 'InternalServerError', 'lost request'))),
      ),
    ),
  );
  return json(200, { responses });
}
