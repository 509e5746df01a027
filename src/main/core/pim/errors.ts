/** Stable codes so callers (import UI, REST API, sync) can branch without parsing messages. */
export type PimErrorCode =
  | 'EMPTY_INPUT'
  | 'NOT_ICALENDAR'
  | 'NOT_VCARD'
  | 'UNBALANCED_COMPONENT'
  | 'INVALID_LINE'
  | 'INVALID_DATE'
  | 'INVALID_DURATION'
  | 'INVALID_RRULE'
  | 'INVALID_TIMEZONE'
  | 'MISSING_PROPERTY'
  | 'INVALID_DATA';

/** Thrown for malformed iCalendar/vCard input and for invalid data handed to the builders. */
export class PimParseError extends Error {
  readonly code: PimErrorCode;
  /** 1-based physical line in the input, when known. */
  readonly line: number | null;

  constructor(code: PimErrorCode, message: string, line: number | null = null) {
    super(line === null ? message : `${message} (line ${line})`);
    this.name = 'PimParseError';
    this.code = code;
    this.line = line;
  }
}
