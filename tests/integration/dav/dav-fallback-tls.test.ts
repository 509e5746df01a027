// The same real Radicale reached the way other deployments are: over TLS with a self-signed
// certificate (refused unless its fingerprint is trusted), and as a server without sync-collection
// (Pimlico then syncs by ctag and etags).
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { Core } from '../../../src/main/core/core';
import { composeProvider } from '../../../src/main/core/providers/compose';
import { createDavPart } from '../../../src/main/core/providers/dav';
import { resetDavUser } from '../../servers';
import { createTestCore } from '../../support/core';
import { startDavProxy, type DavProxy } from './proxy';

const servers = inject('servers');
const bob = servers.users.find((u) => u.email.startsWith('bob'))!;
const auth = `Basic ${Buffer.from(`${bob.email}:${bob.password}`).toString('base64')}`;
const calendarUrl = new URL(`${encodeURIComponent(bob.email)}/calendar/`, servers.dav.url).href;
const contactsUrl = new URL(`${encodeURIComponent(bob.email)}/contacts/`, servers.dav.url).href;

async function server(method: string, url: string, body?: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method, body, headers: { authorization: auth, ...headers } });
  return { status: res.status, etag: res.headers.get('etag'), text: await res.text() };
}

const crlf = (lines: string[]) => lines.join('\r\n') + '\r\n';
const ics = (uid: string, summary: string) =>
  crlf(['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Other//EN', 'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20260101T000000Z', 'DTSTART;VALUE=DATE:20260501', 'DTEND;VALUE=DATE:20260502', `SUMMARY:${summary}`, 'END:VEVENT', 'END:VCALENDAR']);

let core: Core;

function addAccount(url: string, trustedCertFingerprint?: string): string {
  const dav = { url, user: bob.email, password: bob.password, ...(trustedCertFingerprint ? { trustedCertFingerprint } : {}) };
  return core.accounts.create({
    kind: 'imap',
    displayName: 'Bob',
    email: bob.email,
    imap: { host: servers.imap.host, port: servers.imap.port, security: 'none', user: bob.email, password: bob.password },
    caldav: dav,
    carddav: dav,
  }).id;
}

beforeAll(async () => {
  await resetDavUser(bob.email, servers);
  core = createTestCore({ providers: { imap: (ctx) => composeProvider([createDavPart(ctx)!]) } });
});

afterAll(async () => {
  await core?.close();
});

describe('a CalDAV/CardDAV server without sync-collection', () => {
  let proxy: DavProxy;
  let accountId: string;
  beforeAll(async () => {
    proxy = await startDavProxy({ target: servers.dav.url, withoutSyncCollection: true });
    accountId = addAccount(proxy.url);
  });
  afterAll(async () => {
    await proxy?.close();
  });

  it('syncs by ctag and etags: new, unchanged, edited and deleted items, both ways', async () => {
    expect((await server('PUT', `${calendarUrl}holiday.ics`, ics('holiday@other', 'Holiday'), { 'content-type': 'text/calendar' })).status).toBe(201);
    await core.sync.syncNow(accountId);
    const [calendar] = core.store.pim.calendars(accountId);
    expect(calendar?.name).toBe('Calendar');
    expect(calendar?.syncToken).toBeNull();
    expect(calendar?.ctag).toBeTruthy();
    const holiday = core.store.pim.eventsByUid(calendar!.id, 'holiday@other')[0]!;
    expect(holiday).toMatchObject({ summary: 'Holiday', allDay: true, start: '2026-05-01', end: '2026-05-02' });

    // Nothing changed: the ctag says so and nothing is fetched.
    expect((await core.sync.syncNow(accountId)).events).toBe(0);

    // Edited and deleted on the server.
    const current = await server('GET', `${calendarUrl}holiday.ics`);
    expect((await server('PUT', `${calendarUrl}holiday.ics`, current.text.replace('SUMMARY:Holiday', 'SUMMARY:Bank holiday'), { 'content-type': 'text/calendar', 'if-match': current.etag! })).status).toBe(201);
    expect((await server('PUT', `${calendarUrl}doomed.ics`, ics('doomed@other', 'Doomed'), { 'content-type': 'text/calendar' })).status).toBe(201);
    await core.sync.syncNow(accountId);
    expect(core.store.pim.event(holiday.id)?.summary).toBe('Bank holiday');
    expect(core.store.pim.eventsByUid(calendar!.id, 'doomed@other')).toHaveLength(1);
    expect((await server('DELETE', `${calendarUrl}doomed.ics`)).status).toBe(200);
    await core.sync.syncNow(accountId);
    expect(core.store.pim.eventsByUid(calendar!.id, 'doomed@other')).toHaveLength(0);

    // Created in Pimlico: on the server, through the same server.
    const book = core.store.pim.addressBooks(accountId)[0]!;
    const { contact } = core.contacts.create(book.id, { givenName: 'Gina', surname: 'Tls', emails: [{ type: 'home', address: 'gina@example.net' }] });
    await core.tasks.run(accountId);
    const stored = core.store.pim.contact(contact.id)!;
    expect(decodeURIComponent(stored.remoteId!)).toContain(decodeURIComponent(new URL(contactsUrl).pathname));
    const onServer = await server('GET', new URL(new URL(stored.remoteId!).pathname, servers.dav.url).href);
    expect(onServer.status).toBe(200);
    expect(onServer.text).toMatch(/^FN:Gina Tls/m);
    expect((await core.sync.syncNow(accountId)).contacts).toBe(0);

    expect(proxy.syncCollectionRequests).toBe(0);
  });
});

describe('a CalDAV/CardDAV server with a self-signed certificate', () => {
  let proxy: DavProxy;
  let fingerprint: string;
  beforeAll(async () => {
    const tlsDir = join(servers.stateDir, 'tls');
    const cert = readFileSync(join(tlsDir, 'cert.pem'), 'utf8');
    fingerprint = new X509Certificate(cert).fingerprint256;
    proxy = await startDavProxy({ target: servers.dav.url, tls: { cert, key: readFileSync(join(tlsDir, 'key.pem'), 'utf8') } });
  });
  afterAll(async () => {
    await proxy?.close();
  });

  it('is refused when its certificate is not trusted', async () => {
    const accountId = addAccount(proxy.url);
    await expect(core.sync.syncNow(accountId)).rejects.toThrow(/certificate that is not trusted/);
    expect(core.store.pim.calendars(accountId)).toEqual([]);
  });

  it('is refused when a different certificate was trusted', async () => {
    const other = fingerprint.replace(/^[0-9A-F]{2}/, (b) => (b === '00' ? '01' : '00'));
    const accountId = addAccount(proxy.url, other);
    await expect(core.sync.syncNow(accountId)).rejects.toMatchObject({ code: 'Unauthorized', message: expect.stringMatching(/not the trusted one/) });
    expect(core.store.pim.calendars(accountId)).toEqual([]);
  });

  it('syncs when the user trusted exactly that certificate', async () => {
    const accountId = addAccount(proxy.url, fingerprint.toLowerCase());
    await core.sync.syncNow(accountId);
    const [calendar] = core.store.pim.calendars(accountId);
    expect(calendar?.remoteId?.startsWith('https://127.0.0.1:')).toBe(true);
    expect(core.store.pim.eventsByUid(calendar!.id, 'holiday@other')[0]?.summary).toBe('Bank holiday');
  });
});

describe('offline edits and a server that comes back', () => {
  it('keeps queued local edits and deletes through syncs, then applies them (or reports a conflict) once the server is reachable', async () => {
    let proxy = await startDavProxy({ target: servers.dav.url });
    const port = Number(new URL(proxy.url).port);
    const accountId = addAccount(proxy.url);
    for (const name of ['offline-edit', 'offline-delete', 'offline-clash']) {
      expect((await server('PUT', `${calendarUrl}${name}.ics`, ics(`${name}@other`, 'Before'), { 'content-type': 'text/calendar' })).status).toBe(201);
    }
    await core.sync.syncNow(accountId);
    const [calendar] = core.store.pim.calendars(accountId);
    const row = (uid: string) => core.store.pim.eventsByUid(calendar!.id, uid)[0];
    const toEdit = row('offline-edit@other')!;
    const toDelete = row('offline-delete@other')!;
    const toClash = row('offline-clash@other')!;

    await proxy.close(); // the server is unreachable
    const edit = core.calendar.update(toEdit.id, { summary: 'Edited offline' });
    const del = core.calendar.delete(toDelete.id);
    const clash = core.calendar.update(toClash.id, { summary: 'Mine, offline' });
    await core.tasks.run(accountId);
    await core.tasks.idle();
    expect(core.store.tasks.get(edit.task.id)).toMatchObject({ status: 'pending' });
    expect(core.store.tasks.get(edit.task.id)!.lastError).toMatch(/unreachable/);
    // Meanwhile someone else edits one of them on the server.
    const theirs = await server('GET', `${calendarUrl}offline-clash.ics`);
    expect((await server('PUT', `${calendarUrl}offline-clash.ics`, theirs.text.replace('SUMMARY:Before', 'SUMMARY:Theirs'), { 'content-type': 'text/calendar', 'if-match': theirs.etag! })).status).toBe(201);

    // Back, with the tasks still waiting for their retry time. A complete listing (token reset) must
    // neither revert the local edits nor bring back the deleted event.
    proxy = await startDavProxy({ target: servers.dav.url, port });
    try {
      core.store.pim.updateCalendar(calendar!.id, { syncToken: null });
      await core.sync.syncNow(accountId);
      expect(core.store.tasks.get(edit.task.id)).toMatchObject({ status: 'pending' });
      expect(core.store.pim.event(toEdit.id)?.summary).toBe('Edited offline');
      expect(core.store.pim.event(toClash.id)?.summary).toBe('Mine, offline');
      expect(row('offline-delete@other')).toBeUndefined();

      // Retry time reached: the edit and the delete reach the server; the clash is reported, theirs kept.
      for (const id of [edit.task.id, del.id, clash.task.id]) core.store.tasks.setStatus(id, 'pending', Date.now(), null, 0);
      await core.sync.syncNow(accountId);
      expect([edit.task.id, del.id, clash.task.id].map((id) => core.store.tasks.get(id)?.status)).toEqual(['done', 'done', 'failed']);
      expect(core.store.tasks.get(clash.task.id)!.lastError).toMatch(/changed on the server/);
      expect((await server('GET', `${calendarUrl}offline-edit.ics`)).text).toContain('SUMMARY:Edited offline');
      expect((await server('GET', `${calendarUrl}offline-delete.ics`)).status).toBe(404);
      expect((await server('GET', `${calendarUrl}offline-clash.ics`)).text).toContain('SUMMARY:Theirs');
      expect(core.store.pim.event(toClash.id)?.summary).toBe('Theirs');
    } finally {
      await proxy.close();
    }
  });
});

describe('a server that pages sync-collection answers', () => {
  it('collects every page, on the first sync and on later ones', async () => {
    const proxy = await startDavProxy({ target: servers.dav.url, syncPageSize: 2 });
    try {
      for (let i = 1; i <= 5; i++) {
        expect((await server('PUT', `${calendarUrl}paged-${i}.ics`, ics(`paged-${i}@other`, `Paged ${i}`), { 'content-type': 'text/calendar' })).status).toBe(201);
      }
      const accountId = addAccount(proxy.url);
      await core.sync.syncNow(accountId);
      const [calendar] = core.store.pim.calendars(accountId);
      const serverHrefs = async () => {
        const listing = await server('PROPFIND', calendarUrl, undefined, { depth: '1' });
        return [...listing.text.matchAll(/<href>([^<]*\.ics)<\/href>/g)].map((m) => decodeURIComponent(m[1]!).split('/').pop()).sort();
      };
      const localHrefs = () =>
        core.store.pim
          .eventsInCalendar(calendar!.id)
          .map((e) => decodeURIComponent(e.remoteId!).split('/').pop())
          .sort();
      expect(proxy.truncatedPages).toBeGreaterThanOrEqual(2);
      expect(localHrefs()).toEqual(await serverHrefs());
      expect(localHrefs()).toEqual(expect.arrayContaining(['paged-1.ics', 'paged-5.ics']));

      // Later changes, again more than a page: three new, one deleted, one edited.
      const pagesBefore = proxy.truncatedPages;
      for (let i = 6; i <= 8; i++) {
        expect((await server('PUT', `${calendarUrl}paged-${i}.ics`, ics(`paged-${i}@other`, `Paged ${i}`), { 'content-type': 'text/calendar' })).status).toBe(201);
      }
      expect((await server('DELETE', `${calendarUrl}paged-2.ics`)).status).toBe(200);
      const three = await server('GET', `${calendarUrl}paged-3.ics`);
      expect((await server('PUT', `${calendarUrl}paged-3.ics`, three.text.replace('SUMMARY:Paged 3', 'SUMMARY:Paged three'), { 'content-type': 'text/calendar' })).status).toBe(201);
      await core.sync.syncNow(accountId);
      expect(proxy.truncatedPages).toBeGreaterThan(pagesBefore);
      expect(localHrefs()).toEqual(await serverHrefs());
      expect(localHrefs()).not.toContain('paged-2.ics');
      expect(core.store.pim.eventsByUid(calendar!.id, 'paged-3@other')[0]?.summary).toBe('Paged three');
      // The token finally stored is the server's real one, and it works.
      expect(core.store.pim.calendar(calendar!.id)!.syncToken).toMatch(/^http:\/\/radicale\.org\/ns\/sync\//);
      expect((await core.sync.syncNow(accountId)).events).toBe(0);
    } finally {
      await proxy.close();
    }
  });
});

describe('a discovery that comes back empty', () => {
  it('keeps calendars the server still has, and drops one only when the server confirms it is gone', async () => {
    const proxy = await startDavProxy({ target: servers.dav.url });
    try {
      const accountId = addAccount(proxy.url);
      await core.sync.syncNow(accountId);
      const [calendar] = core.store.pim.calendars(accountId);
      const before = core.store.pim.eventsInCalendar(calendar!.id).length;
      expect(before).toBeGreaterThan(0);

      proxy.hideCollections = true;
      await core.sync.syncNow(accountId);
      expect(core.store.pim.calendars(accountId).map((c) => c.id)).toEqual([calendar!.id]);
      expect(core.store.pim.eventsInCalendar(calendar!.id)).toHaveLength(before);

      // Really gone: a second calendar deleted on the server disappears locally.
      const extraUrl = new URL(`${encodeURIComponent(bob.email)}/extra/`, servers.dav.url).href;
      expect((await server('MKCALENDAR', extraUrl)).status).toBe(201);
      proxy.hideCollections = false;
      await core.sync.syncNow(accountId);
      expect(core.store.pim.calendars(accountId)).toHaveLength(2);
      expect((await server('DELETE', extraUrl)).status).toBe(200);
      await core.sync.syncNow(accountId);
      expect(core.store.pim.calendars(accountId).map((c) => c.id)).toEqual([calendar!.id]);
    } finally {
      await proxy.close();
    }
  });
});

describe('a server that answers PUT without an ETag', () => {
  it('reads the stored version back, so the next edit is guarded by the right etag', async () => {
    const proxy = await startDavProxy({ target: servers.dav.url, withoutPutEtag: true });
    try {
      const accountId = addAccount(proxy.url);
      await core.sync.syncNow(accountId);
      const [calendar] = core.store.pim.calendars(accountId);
      const { event } = core.calendar.create(calendar!.id, { summary: 'No etag', start: '2026-08-01T09:00:00', end: '2026-08-01T10:00:00', timeZone: 'Asia/Tokyo' });
      await core.tasks.run(accountId);
      const stored = core.store.pim.event(event.id)!;
      const href = new URL(new URL(stored.remoteId!).pathname, servers.dav.url).href;
      const onServer = await server('GET', href);
      expect(onServer.text).toContain('SUMMARY:No etag');
      expect(stored.etag).toBe(onServer.etag);
      const edit = core.calendar.update(event.id, { summary: 'No etag (edited)' });
      await core.tasks.run(accountId);
      expect(core.store.tasks.get(edit.task.id)?.status).toBe('done');
      expect((await server('GET', href)).text).toContain('SUMMARY:No etag (edited)');
    } finally {
      await proxy.close();
    }
  });
});
