/**
 * Response model shared by HTTP, $batch and route handlers, plus Graph's error envelope.
 */
import { randomUUID } from 'node:crypto';

export type ResponseBody =
  | { kind: 'json'; value: unknown }
  | { kind: 'bytes'; value: Buffer; contentType: string }
  | { kind: 'text'; value: string }
  | { kind: 'none' };

export interface GraphResponse {
  status: number;
  headers: Record<string, string>;
  body: ResponseBody;
}

/** Graph's OData JSON content type. */
export const ODATA_JSON =
  'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

export function json(status: number, value: unknown, headers: Record<string, string> = {}): GraphResponse {
  return { status, headers, body: { kind: 'json', value } };
}

export function empty(status: number, headers: Record<string, string> = {}): GraphResponse {
  return { status, headers, body: { kind: 'none' } };
}

/**
 * A Graph error. Thrown anywhere in a handler and turned into
 * `{ "error": { "code", "message", "innerError": { "date", "request-id", "client-request-id" } } }`.
 */
export class GraphError extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: Record<string, string>;
  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

export function errorResponse(
  err: GraphError,
  requestId: string = randomUUID(),
  clientRequestId: string = requestId,
): GraphResponse {
  return json(
    err.status,
    {
      error: {
        code: err.code,
        message: err.message,
        innerError: {
          // Graph formats this without a zone designator.
          date: new Date().toISOString().slice(0, 19),
          'request-id': requestId,
          'client-request-id': clientRequestId,
        },
      },
    },
    err.headers,
  );
}

// Frequently used Graph errors, with the codes/messages Graph (Outlook-backed endpoints) uses.
export const badRequest = (message: string, code = 'BadRequest'): GraphError =>
  new GraphError(400, code, message);
export const itemNotFound = (): GraphError =>
  new GraphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
export const malformedId = (): GraphError =>
  new GraphError(400, 'ErrorInvalidIdMalformed', 'Id is malformed.');
export const segmentNotFound = (segment: string): GraphError =>
  new GraphError(400, 'BadRequest', `Resource not found for the segment '${segment}'.`);
export const unknownProperty = (name: string, type: string): GraphError =>
  new GraphError(
    400,
    'RequestBroker--ParseUri',
    `Could not find a property named '${name}' on type 'microsoft.graph.${type}'.`,
  );
