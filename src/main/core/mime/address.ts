import { addressParser, type Address as PostalAddress } from 'postal-mime';
import type { Address } from './types';

/** Matches the shared EmailAddress contract (src/shared/types.ts), which caps both fields at 500. */
const MAX_FIELD = 500;

/** Flattens groups and drops entries without an address (e.g. `undisclosed-recipients:;`). */
export function fromPostalAddresses(list: readonly PostalAddress[] | undefined): Address[] {
  const out: Address[] = [];
  for (const a of list ?? []) {
    if (a.group) {
      for (const m of a.group) pushAddress(out, m.name, m.address);
    } else {
      pushAddress(out, a.name, a.address);
    }
  }
  return out;
}

function pushAddress(out: Address[], name: string, address: string): void {
  const addr = cleanAddress(address);
  if (!addr || addr.length > MAX_FIELD) return;
  out.push({ name: cleanName(name, addr), address: addr });
}

function cleanAddress(address: string): string {
  return address.replace(/^mailto:/i, '').replace(/[\s<>]+/g, '');
}

function cleanName(name: string, address: string): string {
  // Control characters and stray quotes come from broken encoders; a name equal to the address adds nothing.
  let n = name
    // eslint-disable-next-line no-control-regex -- removing control characters is the point
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (n.length >= 2 && ((n.startsWith('"') && n.endsWith('"')) || (n.startsWith("'") && n.endsWith("'")))) {
    n = n.slice(1, -1).trim();
  }
  if (n.toLowerCase() === address.toLowerCase()) n = '';
  return n.slice(0, MAX_FIELD);
}

/**
 * Parses an address list as typed by a user or stored by a connector: `,` and `;` both separate,
 * groups are flattened, and an unquoted `Last, First <a@x>` keeps its name (the comma would
 * otherwise split off a name-only entry).
 */
export function parseAddressList(value: string): Address[] {
  const parsed = addressParser(value, { flatten: true });
  const out: Address[] = [];
  let pendingName = '';
  for (const a of parsed) {
    if (a.group) continue; // flatten: true leaves none; narrows the type
    const addr = cleanAddress(a.address);
    if (!addr.includes('@')) {
      // A name without an address: either half of "Last, First <a@x>" or junk; held for the next entry.
      const piece = (a.name || a.address).trim();
      pendingName = pendingName ? `${pendingName}, ${piece}` : piece;
      continue;
    }
    let name = a.name;
    if (pendingName && name) name = `${pendingName}, ${name}`;
    pendingName = '';
    if (addr.length <= MAX_FIELD) out.push({ name: cleanName(name, addr), address: addr });
  }
  return out;
}

/** Formats addresses for display or editing (names stay Unicode; this is not header encoding). */
export function formatAddressList(list: readonly Address[], separator: '; ' | ', ' = ', '): string {
  return list.map(formatAddress).join(separator);
}

export function formatAddress(a: Address): string {
  const name = a.name.trim();
  if (!name || name.toLowerCase() === a.address.toLowerCase()) return a.address;
  // Quote whenever the name holds a character that has meaning in an address list, ; and , above all.
  const needsQuotes = /[()<>[\]:;@\\,."]/.test(name) || /^'|'$/.test(name);
  const shown = needsQuotes ? `"${name.replace(/(["\\])/g, '\\$1')}"` : name;
  return `${shown} <${a.address}>`;
}

export function sameAddress(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}
