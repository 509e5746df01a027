// A contact photo set or removed in Pimlico reaches Graph as the contact's profilePhoto
// (PUT/DELETE /me/contacts/{id}/photo/$value, read back here with separate requests), survives the next
// delta sync, and undo puts the previous photo back on the server.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALICE, ALICE_TOKEN, graphFixture, type GraphFixture } from './support';
import { solidPng } from '../../support/png';

let fx: GraphFixture;
beforeEach(async () => {
  fx = await graphFixture();
});
afterEach(async () => fx.close());

/** The photo on the emulated Graph, fetched as another client would. */
async function graphPhoto(remoteId: string): Promise<{ status: number; type: string | null; bytes: Buffer }> {
  const res = await fetch(`${fx.emu.baseUrl}/me/contacts/${encodeURIComponent(remoteId)}/photo/$value`, { headers: { authorization: `Bearer ${ALICE_TOKEN}` } });
  return { status: res.status, type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
}

/** A photo uploaded by another client (Outlook), as Graph documents it: the bytes with an image Content-Type. */
async function uploadPhoto(remoteId: string, bytes: Buffer, contentType: string): Promise<number> {
  const res = await fetch(`${fx.emu.baseUrl}/me/contacts/${encodeURIComponent(remoteId)}/photo/$value`, { method: 'PUT', headers: { authorization: `Bearer ${ALICE_TOKEN}`, 'content-type': contentType }, body: bytes });
  return res.status;
}

describe('Graph provider: contact photos', () => {
  it('shows photos set in Outlook, checked by their bytes, and follows a changed photo', async () => {
    const { emu, core, accountId } = fx;
    for (const name of ['Walter Skinner', 'Alex Krycek', 'Monica Reyes']) emu.seedContact(ALICE, { displayName: name, givenName: name.split(' ')[0]! });
    const remote = (name: string) => emu.getContacts(ALICE).find((c) => c.displayName === name)!.id;
    const blue = solidPng(2, 2, [0, 0, 255]);
    expect(await uploadPhoto(remote('Walter Skinner'), blue, 'image/png')).toBe(200);
    // Claims to be a JPEG but is not an image: never shown.
    expect(await uploadPhoto(remote('Alex Krycek'), Buffer.from('<html>not a photo</html>'), 'image/jpeg')).toBe(200);
    await core.sync.syncNow(accountId);
    const local = (name: string) => core.contacts.list({ query: name, limit: 1 })[0]!.id;
    const photoOf = async (name: string) => ((await core.handle('contacts.photo', { id: local(name) })) as { url: string | null }).url;

    expect(await photoOf('Walter Skinner')).toBe(`data:image/png;base64,${blue.toString('base64')}`);
    expect(await photoOf('Alex Krycek')).toBeNull();
    expect(await photoOf('Monica Reyes')).toBeNull();
    // Asked once per version of the contact.
    emu.clearRequests();
    expect(await photoOf('Walter Skinner')).toBe(`data:image/png;base64,${blue.toString('base64')}`);
    expect(emu.requests.filter((r) => r.path.includes('/photo'))).toEqual([]);

    const green = solidPng(2, 2, [0, 200, 0]);
    expect(await uploadPhoto(remote('Walter Skinner'), green, 'image/png')).toBe(200);
    await core.sync.syncNow(accountId);
    expect(await photoOf('Walter Skinner')).toBe(`data:image/png;base64,${green.toString('base64')}`);
  });

  it('pushes a set photo, keeps it across delta sync, removes it, and undo restores it', async () => {
    const { emu, core, accountId } = fx;
    emu.seedContact(ALICE, { givenName: 'Dana', surname: 'Scully', displayName: 'Dana Scully' });
    await core.sync.syncNow(accountId);
    const dana = core.contacts.list({ addressBookId: core.contacts.addressBooks(accountId)[0]!.id, limit: 10 })[0]!;
    const remoteId = emu.getContacts(ALICE)[0]!.id;
    expect((await graphPhoto(remoteId)).status).toBe(404);

    const red = solidPng(3, 3, [255, 0, 0]);
    const set = (await core.handle('contacts.setPhoto', { id: dana.id, image: red.toString('base64') })) as { taskId: string };
    await core.tasks.run(accountId);
    const onGraph = await graphPhoto(remoteId);
    expect(onGraph).toMatchObject({ status: 200, type: 'image/png' });
    expect(onGraph.bytes.equals(red)).toBe(true);

    // The photo write changed the contact's changeKey; the next delta keeps the local photo.
    emu.clearRequests();
    await core.sync.syncNow(accountId);
    expect(await core.handle('contacts.photo', { id: dana.id })).toEqual({ url: `data:image/png;base64,${red.toString('base64')}` });
    // A server-side edit arrives by delta and the photo stays.
    emu.updateContact(ALICE, remoteId, { jobTitle: 'Special Agent' });
    await core.sync.syncNow(accountId);
    expect(core.contacts.get(dana.id).jobTitle).toBe('Special Agent');
    expect(((await core.handle('contacts.photo', { id: dana.id })) as { url: string | null }).url).toMatch(/^data:image\/png;base64,/);

    const removed = (await core.handle('contacts.setPhoto', { id: dana.id, image: null })) as { taskId: string };
    await core.tasks.run(accountId);
    expect((await graphPhoto(remoteId)).status).toBe(404);
    expect(await core.handle('contacts.photo', { id: dana.id })).toEqual({ url: null });

    await core.handle('tasks.undo', { id: removed.taskId });
    await core.tasks.run(accountId);
    expect((await graphPhoto(remoteId)).bytes.equals(red)).toBe(true);
    expect(set.taskId).toBeTruthy();
    expect(core.store.tasks.recent(20).filter((t) => t.status === 'failed')).toEqual([]);
  });

  it('follows a photo that Outlook removes or replaces after Pimlico set one', async () => {
    const { emu, core, accountId } = fx;
    emu.seedContact(ALICE, { givenName: 'John', surname: 'Doggett', displayName: 'John Doggett' });
    await core.sync.syncNow(accountId);
    const john = core.contacts.list({ query: 'Doggett', limit: 1 })[0]!;
    const remoteId = emu.getContacts(ALICE)[0]!.id;
    const photoUrl = async () => ((await core.handle('contacts.photo', { id: john.id })) as { url: string | null }).url;
    const red = solidPng(3, 3, [255, 0, 0]);
    await core.handle('contacts.setPhoto', { id: john.id, image: red.toString('base64') });
    await core.tasks.run(accountId);
    expect((await graphPhoto(remoteId)).bytes.equals(red)).toBe(true);

    // Removed in Outlook: gone here after the next sync.
    const removed = await fetch(`${emu.baseUrl}/me/contacts/${encodeURIComponent(remoteId)}/photo/$value`, { method: 'DELETE', headers: { authorization: `Bearer ${ALICE_TOKEN}` } });
    expect(removed.status).toBe(204);
    await core.sync.syncNow(accountId);
    expect(await photoUrl()).toBeNull();

    // A new one set in Outlook: shown here.
    const green = solidPng(2, 2, [0, 200, 0]);
    expect(await uploadPhoto(remoteId, green, 'image/png')).toBe(200);
    await core.sync.syncNow(accountId);
    expect(await photoUrl()).toBe(`data:image/png;base64,${green.toString('base64')}`);
    expect(core.store.tasks.recent(20).filter((t) => t.status === 'failed')).toEqual([]);
  });
});
