import { changedContacts, CONTACT_DEFAULT_ORDER, CONTACT_FIELDS, startSeqTrigger, type SeqWatermark } from '../../triggers';
import type { StoredContact } from '../../store';
import { HttpError } from '../http';
import { addressBookOf, ERROR_RESPONSES } from './common';
import { idParam, ODATA_PARAMS, odataInput, queryItemIds, tableParam } from './items';
import { ContactItemInput, readBodyAs, toContactInput, toContactItem } from './objects';
import { ACCOUNT_PARAM, type OperationContext, type OperationSpec } from './operation';
import { poll } from './triggers';

const CONTACTS = { table: 'contacts c', alias: 'c', container: 'c.address_book_id', fields: CONTACT_FIELDS, defaultOrder: CONTACT_DEFAULT_ORDER };

function getTables(ctx: OperationContext) {
  return { status: 200, body: { value: ctx.core.contacts.addressBooks(ctx.account.id).map((b) => ({ Name: b.id, DisplayName: b.name })) } };
}

function getItems(ctx: OperationContext) {
  const book = addressBookOf(ctx.core, ctx.account, ctx.requiredStr('table'));
  const ids = queryItemIds(ctx.core, CONTACTS, book.id, odataInput(ctx));
  const value = ids.map((id) => ctx.core.store.pim.contact(id)).filter((c): c is StoredContact => c !== undefined).map(toContactItem);
  return { status: 200, body: { value } };
}

function contactOf(ctx: OperationContext): StoredContact {
  const book = addressBookOf(ctx.core, ctx.account, ctx.requiredStr('table'));
  const id = ctx.requiredStr('id');
  const c = ctx.core.store.pim.contact(id);
  if (!c || c.addressBookId !== book.id) throw new HttpError(404, 'NotFound', `Contact '${id.slice(0, 200)}' was not found in this contacts folder`);
  return c;
}

function postItem(ctx: OperationContext) {
  const book = addressBookOf(ctx.core, ctx.account, ctx.requiredStr('table'));
  const item = readBodyAs(ContactItemInput, ctx.req.body, 'ContactItem');
  const input = toContactInput(item, null);
  const named = [input.displayName, input.givenName, input.surname, input.company].some((v) => v && v.trim()) || (input.emails?.length ?? 0) > 0;
  if (!named) throw new HttpError(400, 'BadRequest', 'A contact needs at least a name, a company or an email address');
  const { contact } = ctx.core.contacts.create(book.id, input);
  return { status: 200, body: toContactItem(contact) };
}

function patchItem(ctx: OperationContext) {
  const previous = contactOf(ctx);
  const item = readBodyAs(ContactItemInput, ctx.req.body, 'ContactItem');
  const { contact } = ctx.core.contacts.update(previous.id, toContactInput(item, previous));
  return { status: 200, body: toContactItem(contact) };
}

function onChangedItems(change: 'created' | 'modified') {
  return (ctx: OperationContext) => {
    const book = addressBookOf(ctx.core, ctx.account, ctx.requiredStr('table'));
    const query = { containerId: book.id, change, odata: odataInput(ctx) };
    return poll<SeqWatermark, StoredContact>(ctx, {
      trigger: change === 'created' ? 'connector.ContactGetOnNewItems' : 'connector.ContactGetOnUpdatedItems',
      params: { account: ctx.account.id, ...query },
      start: () => {
        queryItemIds(ctx.core, CONTACTS, book.id, { ...query.odata, $top: 0 });
        return startSeqTrigger(ctx.core.store);
      },
      step: (wm) => changedContacts(ctx.core.store, query, wm),
      toBody: (items) => ({ value: items.map(toContactItem) }),
    });
  };
}

const TABLE = 'Unique identifier of a contacts folder';
const OK = { '200': { description: 'OK', schema: 'ContactItem' }, ...ERROR_RESPONSES };
const TRIGGER_STATE = { name: 'triggerState', in: 'query' as const, type: 'string' as const, required: false, description: 'Where the previous poll stopped (from the Location header)' };

export const contactOperations: OperationSpec[] = [
  {
    operationId: 'ContactGetTables',
    method: 'GET',
    path: '/datasets/contacts/tables',
    summary: 'Get contact folders',
    tags: ['Contacts'],
    params: [ACCOUNT_PARAM],
    responses: { '200': { description: 'OK', schema: 'TablesList' }, ...ERROR_RESPONSES },
    handler: getTables,
  },
  {
    operationId: 'ContactGetItems',
    method: 'GET',
    path: '/datasets/contacts/tables/{table}/items',
    summary: 'Get contacts',
    tags: ['Contacts'],
    params: [tableParam('Unique identifier of the contacts folder to retrieve'), ...ODATA_PARAMS, ACCOUNT_PARAM],
    responses: { '200': { description: 'OK', schema: 'ContactItemsList' }, ...ERROR_RESPONSES },
    handler: getItems,
  },
  {
    operationId: 'ContactPostItem',
    method: 'POST',
    path: '/datasets/contacts/tables/{table}/items',
    summary: 'Create contact',
    tags: ['Contacts'],
    params: [tableParam(TABLE), ACCOUNT_PARAM],
    body: { name: 'item', schema: 'ContactItemInput', description: 'Contact to create' },
    responses: OK,
    handler: postItem,
  },
  {
    operationId: 'ContactGetItem',
    method: 'GET',
    path: '/datasets/contacts/tables/{table}/items/{id}',
    summary: 'Get contact',
    tags: ['Contacts'],
    params: [tableParam(TABLE), idParam('Unique identifier of a contact to retrieve'), ACCOUNT_PARAM],
    responses: OK,
    handler: (ctx) => ({ status: 200, body: toContactItem(contactOf(ctx)) }),
  },
  {
    operationId: 'ContactDeleteItem',
    method: 'DELETE',
    path: '/datasets/contacts/tables/{table}/items/{id}',
    summary: 'Delete contact',
    tags: ['Contacts'],
    params: [tableParam(TABLE), idParam('Unique identifier of contact to delete'), ACCOUNT_PARAM],
    responses: { '200': { description: 'OK' }, ...ERROR_RESPONSES },
    handler: (ctx) => {
      ctx.core.contacts.delete(contactOf(ctx).id);
      return { status: 200 };
    },
  },
  {
    operationId: 'ContactPatchItem',
    method: 'PATCH',
    path: '/datasets/contacts/tables/{table}/items/{id}',
    summary: 'Update contact',
    tags: ['Contacts'],
    params: [tableParam(TABLE), idParam('Unique identifier of contact to update'), ACCOUNT_PARAM],
    body: { name: 'item', schema: 'ContactItemInput', description: 'Contact item to update' },
    responses: OK,
    handler: patchItem,
  },
  {
    operationId: 'ContactGetOnNewItems',
    method: 'GET',
    path: '/datasets/contacts/tables/{table}/onnewitems',
    summary: 'On new contacts',
    description: 'Polling trigger: contacts created since the previous poll.',
    tags: ['Contacts'],
    trigger: true,
    params: [tableParam(TABLE), ...ODATA_PARAMS, TRIGGER_STATE, ACCOUNT_PARAM],
    responses: {
      '200': { description: 'OK', schema: 'ContactItemsList', headers: ['Location', 'Retry-After'] },
      '202': { description: 'Nothing new yet', headers: ['Location', 'Retry-After'] },
      ...ERROR_RESPONSES,
    },
    handler: onChangedItems('created'),
  },
  {
    operationId: 'ContactGetOnUpdatedItems',
    method: 'GET',
    path: '/datasets/contacts/tables/{table}/onupdateditems',
    summary: 'On updated contacts',
    description: 'Polling trigger: contacts created or modified since the previous poll, each once in its latest state.',
    tags: ['Contacts'],
    trigger: true,
    params: [tableParam(TABLE), ...ODATA_PARAMS, TRIGGER_STATE, ACCOUNT_PARAM],
    responses: {
      '200': { description: 'OK', schema: 'ContactItemsList', headers: ['Location', 'Retry-After'] },
      '202': { description: 'Nothing new yet', headers: ['Location', 'Retry-After'] },
      ...ERROR_RESPONSES,
    },
    handler: onChangedItems('modified'),
  },
];
