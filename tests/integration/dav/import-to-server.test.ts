// Files from other applications imported into a CalDAV calendar / CardDAV address book reach the
// server with everything Pimlico does not model (X- properties, alarms, Apple labels), not rebuilt
// from the few fields Pimlico shows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Core } from '../../../src/main/core/core';
import { resetDavUser } from '../../servers';
import { createTestCore } from '../../support/core';

const servers = inject('servers');
const alice = servers.users.find((u) => u.email.startsWith('alice'))!;
const auth = `Basic ${Buffer.from(`${alice.email}:${alice.password}`).toString('base64')}`;
const fixture = (p: string) => readFileSync(resolve(import.meta.dirname, '../../fixtures', p), 'utf8');

let core: Core;
let accountId: string;

beforeAll(async () => {
  await resetDavUser(alice.email, servers);
  core = createTestCore();
  const dav = { url: servers.dav.url, user: alice.email, password: alice.password };
  accountId = core.accounts.create({
    kind: 'imap',
    displayName: 'Alice',
    email: alice.email,
    imap: { host: servers.imap.host, port: servers.imap.port, security: 'none', user: alice.email, password: alice.password },
    caldav: dav,
    carddav: dav,
  }).id;
  await core.sync.syncNow(accountId);
});
afterAll(async () => core?.close());

async function serverText(href: string): Promise<string> {
  const res = await fetch(href, { headers: { authorization: auth } });
  expect(res.status).toBe(200);
  return res.text();
}

describe('import into a server-backed calendar and address book', () => {
  it('puts an imported Outlook event on the server with its X-MICROSOFT properties and alarms', async () => {
    const calendar = core.store.pim.calendars(accountId)[0]!;
    const text = fixture('ics/outlook-exchange.ics');
    const result = (await core.handle('events.importIcs', { calendarId: calendar.id, text })) as { created: number; eventIds: string[] };
    expect(result.created).toBeGreaterThan(0);
    await core.tasks.run(accountId);
    await core.tasks.idle();
    const event = core.store.pim.event(result.eventIds[0]!)!;
    expect(event.remoteId).toBeTruthy();
    const onServer = await serverText(event.remoteId!);
    for (const line of ['X-MICROSOFT-CDO-BUSYSTATUS:TENTATIVE', 'X-MICROSOFT-CDO-OWNERAPPTID:2118163711', 'BEGIN:VALARM']) {
      expect(onServer, line).toContain(line);
    }
  });

  it('puts an imported Apple contact on the server with its item labels', async () => {
    const book = core.store.pim.addressBooks(accountId)[0]!;
    const result = (await core.handle('contacts.importVcf', { addressBookId: book.id, text: fixture('vcf/apple-icloud-v3.vcf'), onDuplicate: 'keepBoth' })) as { created: number };
    expect(result.created).toBeGreaterThan(0);
    await core.tasks.run(accountId);
    await core.tasks.idle();
    const withLabel = core.store.pim.contacts({ addressBookId: book.id, limit: 100 }).find((c) => c.vcard?.includes('X-ABLabel'));
    expect(withLabel?.remoteId).toBeTruthy();
    const onServer = await serverText(withLabel!.remoteId!);
    // Property names are case-insensitive, and Radicale writes them in capitals.
    expect(onServer).toMatch(/^item1\.X-ABLABEL:School\r?$/im);
    expect(onServer).toMatch(/^X-SOCIALPROFILE;/im);
  });
});
