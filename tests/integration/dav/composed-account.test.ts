// A whole 'imap' account as users set it up: IMAP/SMTP on Dovecot/Postfix plus CalDAV/CardDAV on
// Radicale, through the provider registry (no test wiring): one sync brings mail folders, calendars
// and address books; event and contact tasks go to the DAV part, and mail keeps working beside it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { Core } from '../../../src/main/core/core';
import { resetDavUser, resetMailUser } from '../../servers';
import { createTestCore } from '../../support/core';

const servers = inject('servers');
const alice = servers.users.find((u) => u.email.startsWith('alice'))!;
const auth = `Basic ${Buffer.from(`${alice.email}:${alice.password}`).toString('base64')}`;

let core: Core;
let accountId: string;

beforeAll(async () => {
  await resetMailUser(alice.email, servers);
  await resetDavUser(alice.email, servers);
  core = createTestCore();
  const dav = { url: servers.dav.url, user: alice.email, password: alice.password };
  accountId = core.accounts.create({
    kind: 'imap',
    displayName: 'Alice',
    email: alice.email,
    imap: { host: servers.imap.host, port: servers.imap.port, security: 'none', user: alice.email, password: alice.password },
    smtp: { host: servers.smtp.host, port: servers.smtp.port, security: 'none', user: alice.email, password: alice.password },
    caldav: dav,
    carddav: dav,
  }).id;
});

afterAll(async () => {
  await core?.close();
});

describe('an imap account with CalDAV and CardDAV', () => {
  it('syncs mail folders, calendars and address books in one cycle, and writes events to the DAV server', async () => {
    const result = await core.sync.syncNow(accountId);
    expect(result.folders).toBeGreaterThan(0);
    expect(core.store.pim.calendars(accountId).map((c) => c.name)).toEqual(['Calendar']);
    expect(core.store.pim.addressBooks(accountId).map((b) => b.name)).toEqual(['Contacts']);
    // The secrets were stored under the names the DAV part reads.
    expect(core.accounts.secret(accountId, 'caldav.password')).toBe(alice.password);

    const calendar = core.store.pim.calendars(accountId)[0]!;
    const { event, task } = core.calendar.create(calendar.id, { summary: 'Composed', start: '2026-07-01', end: '2026-07-02', allDay: true });
    await core.tasks.run(accountId);
    await core.tasks.idle();
    expect(core.store.tasks.get(task.id)?.status).toBe('done');
    const href = core.store.pim.event(event.id)!.remoteId!;
    const res = await fetch(href, { headers: { authorization: auth } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('SUMMARY:Composed');
    expect(text).toContain('DTSTART;VALUE=DATE:20260701');
  });
});
