import { type z } from 'zod';

/** One call between renderer and core: its request and response schemas, validated at the boundary. */
export interface CallSpec<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  readonly request: Req;
  readonly response: Res;
  readonly summary: string;
}

export function call<Req extends z.ZodType, Res extends z.ZodType>(
  request: Req,
  response: Res,
  summary: string,
): CallSpec<Req, Res> {
  return { request, response, summary };
}
