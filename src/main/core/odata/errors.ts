export type ODataQueryErrorCode =
  'InvalidFilter' | 'UnknownField' | 'InvalidOrderBy' | 'InvalidTop' | 'InvalidSkip' | 'TypeMismatch';

export type ODataQueryParameter = '$filter' | '$orderby' | '$top' | '$skip';

/**
 * A client error in one query option. The HTTP layer should answer 400 with `code` and `message`;
 * `position` is a 0-based UTF-16 offset into the named parameter's value when one is known.
 */
export class ODataQueryError extends Error {
  readonly code: ODataQueryErrorCode;
  readonly parameter: ODataQueryParameter;
  readonly position?: number;

  constructor(code: ODataQueryErrorCode, parameter: ODataQueryParameter, what: string, position?: number) {
    super(
      position === undefined ? `${what} in ${parameter}` : `${what} at position ${position} in ${parameter}`,
    );
    this.name = 'ODataQueryError';
    this.code = code;
    this.parameter = parameter;
    if (position !== undefined) this.position = position;
  }
}
