import type { Core } from '../../core';
import { compileODataQuery, type FieldMap, type ODataQueryInput } from '../../odata';
import type { OperationContext, ParamSpec } from './operation';

// Shared by the calendar and contacts tables: OData query options and the items query over the cache.

export const tableParam = (description: string): ParamSpec => ({ name: 'table', in: 'path', type: 'string', required: true, description });
export const idParam = (description: string): ParamSpec => ({ name: 'id', in: 'path', type: 'string', required: true, description });

export const ODATA_PARAMS: ParamSpec[] = [
  { name: '$filter', in: 'query', type: 'string', required: false, description: 'An ODATA filter query to restrict the number of entries' },
  { name: '$orderby', in: 'query', type: 'string', required: false, description: 'An ODATA orderBy query for specifying the order of entries' },
  { name: '$skip', in: 'query', type: 'integer', required: false, minimum: 0, description: 'Number of entries to skip (default = 0)' },
  { name: '$top', in: 'query', type: 'integer', required: false, minimum: 0, description: 'Maximum number of entries to retrieve (default = 256)' },
];

export function odataInput(ctx: OperationContext): ODataQueryInput {
  return { $filter: ctx.str('$filter'), $orderby: ctx.str('$orderby'), $top: ctx.optInt('$top'), $skip: ctx.optInt('$skip') };
}

/** Ids of one table's items matching the OData options, in the asked order. */
export function queryItemIds(
  core: Core,
  source: { table: string; alias: string; container: string; fields: FieldMap; defaultOrder: string },
  containerId: string,
  input: ODataQueryInput,
): string[] {
  const q = compileODataQuery(input, source.fields, { defaultOrderBy: source.defaultOrder });
  const rows = core.store.db
    .prepare(
      `SELECT ${source.alias}.id AS id FROM ${source.table} WHERE ${source.container} = ? AND ${q.where}
       ${q.orderBy ? `ORDER BY ${q.orderBy}` : ''} LIMIT ? OFFSET ?`,
    )
    .all(containerId, ...q.params, q.limit, q.offset) as { id: string }[];
  return rows.map((r) => r.id);
}
