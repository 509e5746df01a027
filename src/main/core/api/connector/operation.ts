import type { Account } from '../../../../shared/types';
import type { Core } from '../../core';
import { ODataQueryError } from '../../odata';
import { PimParseError } from '../../pim/errors';
import { HttpError, type ApiRequest, type ApiResponse, type Router } from '../http';

// One description per connector operation drives three things: the route, the checking of its
// parameters (types, required, defaults) and its entry in /openapi.json, so they cannot drift apart.

export type ParamType = 'string' | 'integer' | 'boolean';
type ParamValue = string | number | boolean;

export interface ParamSpec {
  name: string;
  in: 'query' | 'path';
  type: ParamType;
  required: boolean;
  default?: ParamValue;
  description: string;
  minimum?: number;
  maximum?: number;
  enum?: string[];
}

export interface ResponseSpec {
  description: string;
  /** Component schema name of the body, if any. */
  schema?: string;
  headers?: string[];
}

export interface OperationSpec {
  operationId: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  summary: string;
  description?: string;
  tags: string[];
  params: ParamSpec[];
  body?: { name: string; schema: string; description: string };
  responses: Record<string, ResponseSpec>;
  /** Logic Apps polling trigger (x-ms-trigger: batch). */
  trigger?: boolean;
  handler: (ctx: OperationContext) => ApiResponse | Promise<ApiResponse>;
}

/** Every connector route works on the default account or on ?account=<id>. */
export const ACCOUNT_PARAM: ParamSpec = {
  name: 'account',
  in: 'query',
  type: 'string',
  required: false,
  description: 'Id of the Pimlico account to use (GET /accounts lists them); default: the default account',
};

export class OperationContext {
  private readonly values = new Map<string, ParamValue | undefined>();

  constructor(
    readonly core: Core,
    readonly req: ApiRequest,
    readonly op: OperationSpec,
  ) {
    for (const p of op.params) this.values.set(p.name, readParam(p, p.in === 'path' ? req.params[p.name] : singleQueryValue(req, p.name)));
  }

  private accountCache?: Account;
  get account(): Account {
    this.accountCache ??= this.core.accounts.resolve(this.str('account') ?? null);
    return this.accountCache;
  }

  str(name: string): string | undefined {
    const v = this.values.get(name);
    return typeof v === 'string' ? v : undefined;
  }

  requiredStr(name: string): string {
    const v = this.str(name);
    if (v === undefined) throw new HttpError(400, 'BadRequest', `Parameter '${name}' is required`);
    return v;
  }

  int(name: string): number {
    const v = this.values.get(name);
    if (typeof v !== 'number') throw new Error(`operation ${this.op.operationId}: integer parameter ${name} has no value or default`);
    return v;
  }

  optInt(name: string): number | undefined {
    const v = this.values.get(name);
    return typeof v === 'number' ? v : undefined;
  }

  bool(name: string): boolean {
    const v = this.values.get(name);
    if (typeof v !== 'boolean') throw new Error(`operation ${this.op.operationId}: boolean parameter ${name} has no value or default`);
    return v;
  }
}

function singleQueryValue(req: ApiRequest, name: string): string | undefined {
  const all = req.query.getAll(name);
  if (all.length > 1) throw new HttpError(400, 'BadRequest', `Parameter '${name}' was given ${all.length} times; give it once`);
  return all[0];
}

function readParam(p: ParamSpec, raw: string | undefined): ParamValue | undefined {
  if (raw === undefined || raw === '') {
    if (p.required) throw new HttpError(400, 'BadRequest', `Parameter '${p.name}' (${p.in}) is required`);
    return p.default;
  }
  switch (p.type) {
    case 'string':
      if (p.enum && !p.enum.some((e) => e.toLowerCase() === raw.toLowerCase())) {
        throw new HttpError(400, 'BadRequest', `Parameter '${p.name}' must be one of ${p.enum.join(', ')}, got '${raw.slice(0, 50)}'`);
      }
      return raw;
    case 'integer': {
      if (!/^-?\d{1,15}$/.test(raw.trim())) throw new HttpError(400, 'BadRequest', `Parameter '${p.name}' must be an integer, got '${raw.slice(0, 50)}'`);
      const n = Number(raw.trim());
      if ((p.minimum !== undefined && n < p.minimum) || (p.maximum !== undefined && n > p.maximum)) {
        throw new HttpError(400, 'BadRequest', `Parameter '${p.name}' must be between ${p.minimum ?? '-∞'} and ${p.maximum ?? '∞'}, got ${n}`);
      }
      return n;
    }
    case 'boolean': {
      const v = raw.trim().toLowerCase();
      if (v !== 'true' && v !== 'false') throw new HttpError(400, 'BadRequest', `Parameter '${p.name}' must be true or false, got '${raw.slice(0, 50)}'`);
      return v === 'true';
    }
  }
}

/** OData and calendar-data mistakes are the client's: 400 with a message saying what and where. */
function mapErrors(err: unknown): never {
  if (err instanceof ODataQueryError) throw new HttpError(400, err.code, err.message);
  // Dates, zones and recurrence rules a client sent that the calendar layer cannot read.
  if (err instanceof PimParseError) throw new HttpError(400, 'BadRequest', err.message);
  throw err;
}

export function registerOperations(router: Router, core: Core, ops: readonly OperationSpec[]): void {
  for (const op of ops) {
    const paths = op.path.includes('$') ? [op.path, op.path.replace('$', '%24')] : [op.path];
    for (const path of paths) {
      router.add(op.method, path, async (req) => {
        try {
          return await op.handler(new OperationContext(core, req, op));
        } catch (err) {
          return mapErrors(err);
        }
      });
    }
  }
}
