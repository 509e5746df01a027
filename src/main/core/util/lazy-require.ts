import { createRequire } from 'node:module';

const requireFromHere = createRequire(import.meta.url);

/**
 * A dependency loaded the first time it is used rather than at start-up. Start-up is on the path to an
 * interactive window; libraries that only some accounts or requests need (the OData parser, MSAL) cost
 * tens of milliseconds of module loading each, paid by every start otherwise.
 */
export function lazyRequire<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= requireFromHere(id) as T);
}
