/** An error with a stable code that crosses process and HTTP boundaries. */
export class PimlicoError extends Error {
  constructor(
    readonly code: PimlicoErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'PimlicoError';
  }
}

export type PimlicoErrorCode =
  | 'BadRequest'
  | 'NotFound'
  | 'Conflict'
  | 'Unauthorized'
  | 'Forbidden'
  | 'Unsupported'
  | 'Offline'
  | 'RemoteError'
  | 'Internal';

export function notFound(what: string, id: string): PimlicoError {
  return new PimlicoError('NotFound', `${what} '${id}' was not found`);
}

export function badRequest(message: string, details?: unknown): PimlicoError {
  return new PimlicoError('BadRequest', message, details);
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
