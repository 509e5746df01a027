import { randomUUID } from 'node:crypto';

/** Opaque, URL-safe ids. A prefix tells the kind when one shows up in a log. */
export function newId(prefix: string): string {
  return `${prefix}_${randomUUID().replace(/-/g, '')}`;
}
