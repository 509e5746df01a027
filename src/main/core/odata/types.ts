export type FieldType = 'string' | 'number' | 'boolean' | 'datetime';

/** How one public item field maps onto SQL. `sql` is trusted code (never user input), e.g. "e.summary". */
export interface FieldSpec {
  sql: string;
  type: FieldType;
}

/** Keys are the public item field names, e.g. "Subject", "Start", "IsAllDay". */
export type FieldMap = Readonly<Record<string, FieldSpec>>;

export type SqlParam = string | number;

export interface CompiledQuery {
  /** A boolean SQL expression, safe to embed as `WHERE x = ? AND ${where}`; "1 = 1" when there is no filter. */
  where: string;
  /** Values for the `?` placeholders in `where`, in order. */
  params: SqlParam[];
  /** "expr ASC, expr DESC" without the ORDER BY keyword; "" when neither $orderby nor a default applies. */
  orderBy: string;
  limit: number;
  offset: number;
}

export interface CompileOptions {
  /** Rows returned when $top is absent. Default 256, as in the Outlook.com connector. */
  defaultTop?: number;
  /** Upper bound applied to $top (and to defaultTop). Default 5000. */
  maxTop?: number;
  /**
   * OData $orderby syntax over public field names, e.g. "Start asc,Id asc". Used when $orderby is absent;
   * otherwise its fields are appended as tie-breakers so paging with $skip stays deterministic.
   */
  defaultOrderBy?: string;
}

export interface ODataQueryInput {
  $filter?: string;
  $orderby?: string;
  $top?: string | number;
  $skip?: string | number;
}
