/**
 * Contacts: /contactFolders, /contacts, and contact delta.
 *
 * As in Graph, GET /me/contactFolders lists the folders *below* the default
 * "Contacts" folder; /me/contacts addresses the default folder's contacts.
 */
import { createHash } from 'node:crypto';
import type { DeltaItem } from '../delta';
import { project, resolveSelect, type QueryOption } from '../odata';
import { CONTACT_SPEC, contactId, renderContact, renderContactFolder, type View } from '../render';
import { empty, GraphError, json, type GraphResponse } from '../response';
import type { Ctx, Route } from '../router';
import {
  CONTACT_READ_ONLY,
  contactFolderIn,
  contactIn,
  normAddress,
  normEmail,
  parseBody,
  type ContactIn,
} from '../schemas';
import { touch, type ContactData, type ContactFolderRec, type Mailbox, type ContactRec } from '../store';
import type { GraphContactFolder } from '../types';
import { scalar, type EntitySpec } from '../odata';
import { entity, respondList } from './common';

const LIST_Q: QueryOption[] = ['$select', '$top', '$skip', '$orderby', '$filter', '$count'];

export function blankContact(): ContactData {
  return {
    givenName: null,
    middleName: null,
    surname: null,
    displayName: '',
    fileAs: '',
    initials: null,
    nickName: null,
    title: null,
    generation: null,
    yomiGivenName: null,
    yomiSurname: null,
    yomiCompanyName: null,
    emailAddresses: [],
    imAddresses: [],
    mobilePhone: null,
    homePhones: [],
    businessPhones: [],
    jobTitle: null,
    companyName: null,
    department: null,
    officeLocation: null,
    profession: null,
    businessHomePage: null,
    assistantName: null,
    manager: null,
    spouseName: null,
    children: [],
    birthday: null,
    personalNotes: '',
    categories: [],
    homeAddress: {},
    businessAddress: {},
    otherAddress: {},
  };
}

const STRING_FIELDS = [
  'givenName',
  'middleName',
  'surname',
  'initials',
  'nickName',
  'title',
  'generation',
  'yomiGivenName',
  'yomiSurname',
  'yomiCompanyName',
  'mobilePhone',
  'jobTitle',
  'companyName',
  'department',
  'officeLocation',
  'profession',
  'businessHomePage',
  'assistantName',
  'manager',
  'spouseName',
] as const;

export function applyContactInput(c: ContactData, input: ContactIn): void {
  for (const k of STRING_FIELDS) {
    const v = input[k];
    if (v !== undefined) c[k] = v;
  }
  if (input.emailAddresses) c.emailAddresses = input.emailAddresses.map(normEmail);
  if (input.imAddresses) c.imAddresses = [...input.imAddresses];
  if (input.homePhones) c.homePhones = [...input.homePhones];
  if (input.businessPhones) c.businessPhones = [...input.businessPhones];
  if (input.children) c.children = [...input.children];
  if (input.categories) c.categories = [...input.categories];
  if (input.personalNotes !== undefined) c.personalNotes = input.personalNotes ?? '';
  if (input.birthday !== undefined) {
    if (input.birthday !== null && Number.isNaN(Date.parse(input.birthday))) {
      throw new GraphError(
        400,
        'BadRequest',
        `Cannot convert the literal '${input.birthday}' to the expected type 'Edm.DateTimeOffset'.`,
      );
    }
    c.birthday =
      input.birthday === null ? null : new Date(input.birthday).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  if (input.homeAddress) c.homeAddress = normAddress(input.homeAddress);
  if (input.businessAddress) c.businessAddress = normAddress(input.businessAddress);
  if (input.otherAddress) c.otherAddress = normAddress(input.otherAddress);
  // Graph derives displayName (and fileAs) from the name parts when not given.
  const derived =
    [c.givenName, c.middleName, c.surname].filter((s) => s).join(' ') ||
    c.companyName ||
    c.emailAddresses[0]?.address ||
    '';
  if (input.displayName !== undefined && input.displayName !== null) c.displayName = input.displayName;
  else if (!c.displayName || input.givenName !== undefined || input.surname !== undefined)
    c.displayName = derived;
  if (input.fileAs !== undefined && input.fileAs !== null) c.fileAs = input.fileAs;
  else if (!c.fileAs) c.fileAs = c.surname && c.givenName ? `${c.surname}, ${c.givenName}` : c.displayName;
}

const FOLDER_SPEC: EntitySpec<GraphContactFolder> = {
  type: 'contactFolder',
  properties: ['id', 'displayName', 'parentFolderId'],
  fields: {
    displayname: scalar('string', (f) => f.displayName),
    parentfolderid: scalar('string', (f) => f.parentFolderId),
  },
};

function folderOf(ctx: Ctx): ContactFolderRec {
  const id = ctx.params['folderId'];
  return ctx.mb.requireContactFolder(id ?? ctx.mb.defaultContactFolderId);
}

const contactOf = (ctx: Ctx): ContactRec => ctx.mb.requireContact(ctx.params['contactId'] ?? '');

/** Contact photos (profilePhoto), kept beside the records: the bytes and the type they were uploaded with. */
const photos = new WeakMap<ContactRec, { bytes: Buffer; contentType: string }>();
/** Graph refuses contact photos over 4 MB. */
const MAX_PHOTO_BYTES = 4 * 1024 * 1024;

function photoOf(c: ContactRec): { bytes: Buffer; contentType: string } {
  const photo = photos.get(c);
  if (!photo) throw new GraphError(404, 'ErrorItemNotFound', "The photo wasn't found.");
  return photo;
}

/** Control surface: a contact's photo as stored, or undefined. */
export function contactPhoto(c: ContactRec): { bytes: Buffer; contentType: string } | undefined {
  return photos.get(c);
}

function sortContacts(list: ContactRec[]): ContactRec[] {
  return list.sort((a, b) => a.displayName.localeCompare(b.displayName) || a.seq - b.seq);
}

function listContacts(ctx: Ctx): GraphResponse {
  const items = sortContacts(ctx.mb.contactsIn(folderOf(ctx).id));
  return respondList(ctx, items, CONTACT_SPEC, (c) => ({ ...renderContact(c, ctx.view) }), 'contacts');
}

function createContact(ctx: Ctx): GraphResponse {
  const folder = folderOf(ctx);
  const input = parseBody(ctx.body, contactIn, 'contact', CONTACT_READ_ONLY);
  const data = blankContact();
  applyContactInput(data, input);
  const c = ctx.mb.addContact(data, folder.id, Date.now());
  return entity(ctx, 'contacts', { ...renderContact(c, ctx.view) }, 201);
}

function contactDelta(ctx: Ctx): GraphResponse {
  const mb = ctx.mb;
  const folder = folderOf(ctx);
  return json(
    200,
    ctx.svc.delta.respond({
      userId: mb.user.id,
      collection: `contacts:${folder.id}`,
      linkBase: ctx.url,
      context: `${ctx.svc.baseUrl}/$metadata#Collection(contact)`,
      q: ctx.q,
      view: ctx.view,
      prefMaxPageSize: ctx.prefer.maxPageSize,
      defaultPageSize: ctx.svc.pageSize,
      initial: () => {
        const select = resolveSelect(ctx.q.select, CONTACT_SPEC);
        return {
          pageSize: null,
          changeType: null,
          list: (view: View): DeltaItem[] =>
            sortContacts(mb.contactsIn(folder.id)).map((c) => ({
              key: c.key,
              version: c.changeKey,
              id: contactId(c, view),
              render: () => ({
                '@odata.type': '#microsoft.graph.contact',
                ...project({ ...renderContact(c, view) }, select),
              }),
            })),
        };
      },
    }),
  );
}

function contactItemRoutes(prefix: string): Route[] {
  const p = `${prefix}contacts/:contactId`;
  return [
    {
      method: 'GET',
      path: p,
      query: ['$select'],
      handler: (ctx) =>
        entity(
          ctx,
          'contacts',
          project({ ...renderContact(contactOf(ctx), ctx.view) }, resolveSelect(ctx.q.select, CONTACT_SPEC)),
        ),
    },
    {
      method: 'PATCH',
      path: p,
      hasBody: true,
      handler: (ctx) => {
        const c = contactOf(ctx);
        applyContactInput(c, parseBody(ctx.body, contactIn, 'contact', CONTACT_READ_ONLY));
        touch(c);
        return ctx.prefer.returnMinimal
          ? empty(204)
          : entity(ctx, 'contacts', { ...renderContact(c, ctx.view) });
      },
    },
    {
      method: 'DELETE',
      path: p,
      handler: (ctx) => {
        ctx.mb.removeContact(contactOf(ctx));
        return empty(204);
      },
    },
    // profilePhoto of a contact: GET photo (metadata), GET/PUT photo/$value (the bytes, PUT with the image's
    // Content-Type, 200 on success; setting a photo changes the contact's changeKey), DELETE photo/$value.
    {
      method: 'GET',
      path: `${p}/photo`,
      handler: (ctx) => {
        const photo = photoOf(contactOf(ctx));
        return json(200, { '@odata.context': `${ctx.contextBase}/contacts('${ctx.params['contactId']}')/photo/$entity`, '@odata.mediaContentType': photo.contentType, '@odata.mediaEtag': `W/"${createHash('sha1').update(photo.bytes).digest('hex')}"`, id: 'default', height: null, width: null });
      },
    },
    {
      method: 'GET',
      path: `${p}/photo/$value`,
      handler: (ctx) => {
        const photo = photoOf(contactOf(ctx));
        return { status: 200, headers: {}, body: { kind: 'bytes', value: photo.bytes, contentType: photo.contentType } };
      },
    },
    {
      method: 'PUT',
      path: `${p}/photo/$value`,
      handler: (ctx) => {
        const c = contactOf(ctx);
        const contentType = (ctx.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        if (!/^image\/(jpeg|png|gif|bmp)$/.test(contentType)) throw new GraphError(400, 'ErrorInvalidImage', 'The photo must be sent with an image Content-Type.');
        if (ctx.rawBody.length === 0) throw new GraphError(400, 'ErrorInvalidRequest', 'The photo is empty.');
        if (ctx.rawBody.length > MAX_PHOTO_BYTES) throw new GraphError(413, 'ErrorRequestEntityTooLarge', 'The photo is larger than 4 MB.');
        photos.set(c, { bytes: Buffer.from(ctx.rawBody), contentType });
        touch(c);
        return empty(200);
      },
    },
    {
      method: 'DELETE',
      path: `${p}/photo/$value`,
      handler: (ctx) => {
        const c = contactOf(ctx);
        photoOf(c);
        photos.delete(c);
        touch(c);
        return empty(204);
      },
    },
  ];
}

export function contactRoutes(): Route[] {
  return [
    {
      method: 'GET',
      path: 'contactFolders',
      query: LIST_Q,
      handler: (ctx) => {
        const folders = [...ctx.mb.contactFolders.values()]
          .filter((f) => f.parentId === ctx.mb.defaultContactFolderId)
          .sort((a, b) => a.displayName.localeCompare(b.displayName))
          .map(renderContactFolder);
        return respondList(ctx, folders, FOLDER_SPEC, (f) => ({ ...f }), 'contactFolders');
      },
    },
    {
      method: 'POST',
      path: 'contactFolders',
      hasBody: true,
      handler: (ctx) => {
        const input = parseBody(ctx.body, contactFolderIn, 'contactFolder', ['id']);
        const parent = ctx.mb.requireContactFolder(input.parentFolderId ?? ctx.mb.defaultContactFolderId);
        const clash = [...ctx.mb.contactFolders.values()].some(
          (f) => f.parentId === parent.id && f.displayName.toLowerCase() === input.displayName.toLowerCase(),
        );
        if (clash)
          throw new GraphError(409, 'ErrorFolderExists', 'A folder with the specified name already exists.');
        return entity(
          ctx,
          'contactFolders',
          { ...renderContactFolder(ctx.mb.addContactFolder(input.displayName, parent.id)) },
          201,
        );
      },
    },
    {
      method: 'GET',
      path: 'contactFolders/:folderId',
      query: ['$select'],
      handler: (ctx) =>
        entity(
          ctx,
          'contactFolders',
          project({ ...renderContactFolder(folderOf(ctx)) }, resolveSelect(ctx.q.select, FOLDER_SPEC)),
        ),
    },
    {
      method: 'GET',
      path: 'contactFolders/:folderId/contacts/delta',
      query: ['$select', '$skiptoken', '$deltatoken'],
      handler: contactDelta,
    },
    { method: 'GET', path: 'contactFolders/:folderId/contacts', query: LIST_Q, handler: listContacts },
    { method: 'POST', path: 'contactFolders/:folderId/contacts', hasBody: true, handler: createContact },
    ...contactItemRoutes('contactFolders/:folderId/'),
    { method: 'GET', path: 'contacts', query: LIST_Q, handler: listContacts },
    { method: 'POST', path: 'contacts', hasBody: true, handler: createContact },
    ...contactItemRoutes(''),
  ];
}

/** Control surface helper. */
export function contactsOf(mb: Mailbox, folderId: string): ContactRec[] {
  return sortContacts(mb.contactsIn(folderId));
}
