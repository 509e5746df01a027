// Editing a contact's photo: the image is checked by its bytes, lands as PHOTO in the stored vCard (in the
// card's own version), is served by contacts.photo, and undo puts the previous photo back.
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../../src/main/core/core';
import { sniffImageType } from '../../../src/main/core/contacts/photo';
import type { Contact } from '../../../src/shared/types';
import { createTestCore } from '../../support/core';
import { solidPng } from '../../support/png';

let core: Core;
afterEach(async () => core?.close());

const RED = solidPng(4, 4, [255, 0, 0]);
const BLUE = solidPng(2, 2, [0, 0, 255]);
type SetPhoto = { contact: Contact; taskId: string };

async function firstBook(c: Core): Promise<string> {
  const [book] = (await c.handle('addressBooks.list', {})) as { id: string }[];
  return book!.id;
}

const photoOf = async (id: string) => ((await core.handle('contacts.photo', { id })) as { url: string | null }).url;
const vcardOf = (id: string) => core.store.pim.contact(id)!.vcard ?? '';

describe('contact photo editing', () => {
  it('sets a photo, serves it, writes PHOTO into the card, and undo restores the previous one', async () => {
    core = createTestCore();
    const c = (await core.handle('contacts.create', { addressBookId: await firstBook(core), contact: { givenName: 'Ada', surname: 'Lovelace' } })) as Contact;
    expect(await photoOf(c.id)).toBeNull();

    const first = (await core.handle('contacts.setPhoto', { id: c.id, image: RED.toString('base64') })) as SetPhoto;
    expect(first.contact.id).toBe(c.id);
    expect(await photoOf(c.id)).toBe(`data:image/png;base64,${RED.toString('base64')}`);
    // A card Pimlico writes first is vCard 3.0: binary PHOTO with ENCODING=b.
    expect(vcardOf(c.id)).toMatch(/^VERSION:3\.0\r?$/m);
    expect(vcardOf(c.id).replace(/\r?\n[ \t]/g, '')).toContain(`PHOTO;ENCODING=b;TYPE=PNG:${RED.toString('base64')}`);

    // A data: URL is accepted too, and its declared type is ignored in favour of the bytes.
    await core.handle('contacts.setPhoto', { id: c.id, image: `data:image/gif;base64,${BLUE.toString('base64')}` });
    expect(await photoOf(c.id)).toBe(`data:image/png;base64,${BLUE.toString('base64')}`);
    // Other fields survive a photo change, and a later field edit keeps the photo.
    await core.handle('contacts.update', { id: c.id, patch: { jobTitle: 'Analyst' } });
    expect(await photoOf(c.id)).toBe(`data:image/png;base64,${BLUE.toString('base64')}`);
    expect(((await core.handle('contacts.get', { id: c.id })) as Contact).surname).toBe('Lovelace');

    const removed = (await core.handle('contacts.setPhoto', { id: c.id, image: null })) as SetPhoto;
    expect(await photoOf(c.id)).toBeNull();
    expect(vcardOf(c.id)).not.toMatch(/^PHOTO/m);
    expect(((await core.handle('contacts.get', { id: c.id })) as Contact).jobTitle).toBe('Analyst');

    await core.handle('tasks.undo', { id: removed.taskId });
    expect(await photoOf(c.id)).toBe(`data:image/png;base64,${BLUE.toString('base64')}`);
    await core.handle('tasks.undo', { id: first.taskId });
    expect(await photoOf(c.id)).toBeNull();
  });

  it('keeps a vCard 4 card in vCard 4 form (data: URI) and other properties untouched', async () => {
    core = createTestCore();
    const card = ['BEGIN:VCARD', 'VERSION:4.0', 'UID:urn:uuid:4f1c0d3e-1111-4222-8333-944455556666', 'FN:Grace Hopper', 'N:Hopper;Grace;;;', 'X-FAVOURITE-SHIP:USS Hopper', 'END:VCARD', ''].join('\r\n');
    const res = (await core.handle('contacts.importVcf', { addressBookId: await firstBook(core), text: card, onDuplicate: 'keepBoth' })) as { contactIds: string[] };
    const id = res.contactIds[0]!;
    await core.handle('contacts.setPhoto', { id, image: RED.toString('base64') });
    const text = vcardOf(id).replace(/\r?\n[ \t]/g, '');
    expect(text).toMatch(/^VERSION:4\.0\r?$/m);
    expect(text).toContain(`PHOTO:data:image/png;base64,${RED.toString('base64')}`);
    expect(text).toContain('X-FAVOURITE-SHIP:USS Hopper');
    const exported = ((await core.handle('contacts.exportVcf', { ids: [id] })) as { text: string }).text.replace(/\r?\n[ \t]/g, '');
    expect(exported).toContain(`PHOTO:data:image/png;base64,${RED.toString('base64')}`);
  });

  it('refuses what is not a PNG, JPEG, GIF or WebP image, whatever type it claims, and changes nothing', async () => {
    core = createTestCore();
    const c = (await core.handle('contacts.create', { addressBookId: await firstBook(core), contact: { givenName: 'Alan' } })) as Contact;
    await core.handle('contacts.setPhoto', { id: c.id, image: RED.toString('base64') });
    const before = vcardOf(c.id);
    const html = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>').toString('base64');
    await expect(core.handle('contacts.setPhoto', { id: c.id, image: `data:image/png;base64,${html}` })).rejects.toMatchObject({ code: 'BadRequest', message: /not a PNG, JPEG, GIF or WebP/ });
    await expect(core.handle('contacts.setPhoto', { id: c.id, image: 'not base64 at all!' })).rejects.toMatchObject({ code: 'BadRequest' });
    // Over 1 MB: the contract's bound on the text refuses it before the core decodes anything.
    const big = Buffer.concat([RED, Buffer.alloc(1024 * 1024)]).toString('base64');
    await expect(core.handle('contacts.setPhoto', { id: c.id, image: big })).rejects.toMatchObject({ code: 'BadRequest', message: /at most 1 MB/ });
    expect(vcardOf(c.id)).toBe(before);
  });

  it('recognises the four image types by their first bytes', () => {
    expect(sniffImageType(RED)).toBe('image/png');
    expect(sniffImageType(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]))).toBe('image/jpeg');
    expect(sniffImageType(Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'))).toBe('image/gif');
    expect(sniffImageType(Buffer.from('RIFF\x24\x00\x00\x00WEBPVP8 ', 'latin1'))).toBe('image/webp');
    expect(sniffImageType(Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt ', 'latin1'))).toBeNull();
    expect(sniffImageType(Buffer.from('%PDF-1.7'))).toBeNull();
  });
});
