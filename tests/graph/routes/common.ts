/**
 * Helpers shared by route modules: collection/entity envelopes and @odata.context values.
 */
import {
  applyFilter,
  applyOrderBy,
  collectionBody,
  paginate,
  project,
  resolveSelect,
  type EntitySpec,
} from '../odata';
import { json, type GraphResponse } from '../response';
import type { Ctx } from '../router';
import type { JsonObject } from '../types';

/** `...$metadata#users('id')/messages(subject,isRead)` */
export function collectionContext(ctx: Ctx, entitySet: string, select: string[] | null): string {
  return `${ctx.contextBase}/${entitySet}${select ? `(${select.join(',')})` : ''}`;
}

export function entityContext(ctx: Ctx, entitySet: string): string {
  return `${ctx.contextBase}/${entitySet}/$entity`;
}

export function entity(ctx: Ctx, entitySet: string, value: JsonObject, status = 200): GraphResponse {
  return json(status, { '@odata.context': entityContext(ctx, entitySet), ...value });
}

/** Page size: $top, else `Prefer: odata.maxpagesize`, else the emulator default (Graph: 10). */
export function pageSize(ctx: Ctx): number {
  return ctx.prefer.maxPageSize ?? ctx.svc.pageSize;
}

/**
 * Standard list handling: $filter, $orderby, $count, $top/$skip paging and $select,
 * with `items` already in the resource's default order.
 */
export function respondList<T>(
  ctx: Ctx,
  items: T[],
  spec: EntitySpec<T>,
  render: (item: T, select: string[] | null) => JsonObject,
  entitySet: string,
): GraphResponse {
  const select = resolveSelect(ctx.q.select, spec);
  const filtered = applyOrderBy(applyFilter(items, ctx.q.filter, spec), ctx.q.orderby, spec);
  const { page, nextLink } = paginate(filtered, ctx.q, pageSize(ctx), ctx.url, ctx.raw);
  return json(
    200,
    collectionBody(
      collectionContext(ctx, entitySet, select),
      page.map((it) => project(render(it, select), select)),
      { nextLink, count: ctx.q.count ? filtered.length : undefined },
    ),
  );
}
