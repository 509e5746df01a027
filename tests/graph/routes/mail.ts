/**
 * Mail: /mailFolders, /messages, actions (send, reply, move, ...), attachments, delta.
 */
import type { DeltaItem } from '../delta';
import {
  applyFilter,
  applyOrderBy,
  filterPaths,
  paginate,
  project,
  resolveSelect,
  collectionBody,
  scalar,
  type EntitySpec,
  type ExpandItem,
  type QueryOption,
} from '../odata';
import {
  FOLDER_SPEC,
  MESSAGE_SPEC,
  messageId,
  messageJson,
  renderAttachment,
  renderFolder,
  type View,
} from '../render';
import { badRequest, empty, GraphError, json, unknownProperty, type GraphResponse } from '../response';
import type { Ctx, Route } from '../router';
import {
  MESSAGE_READ_ONLY,
  mailFolderIn,
  mailFolderPatchIn,
  messageIn,
  moveIn,
  parseBody,
  replyIn,
  sendMailIn,
  uploadSessionIn,
  fileAttachmentIn,
  normRecipients,
} from '../schemas';
import { newChangeKey, newId, touch, type FolderRec, type Mailbox, type MessageRec } from '../store';
import type { JsonObject, SingleValueExtendedProperty } from '../types';
import {
  applyMessageInput,
  attachmentFromInput,
  blankContent,
  composeResponse,
  type ResponseKind,
} from '../mailflow';
import { MAX_SESSION_SIZE, MIN_SESSION_SIZE } from '../uploads';
import { collectionContext, entity, pageSize, respondList } from './common';

const LIST_Q: QueryOption[] = [
  '$select',
  '$top',
  '$skip',
  '$orderby',
  '$filter',
  '$search',
  '$count',
  '$expand',
];
const FOLDER_LIST_Q: QueryOption[] = ['$select', '$top', '$skip', '$filter', '$orderby', '$count'];

// ---------------------------------------------------------------------------
// Folders

function folderList(ctx: Ctx, parentId: string): GraphResponse {
  // Hidden folders are listed only with includeHiddenFolders=true, as in Graph.
  const includeHidden = (ctx.raw.get('includeHiddenFolders') ?? '').toLowerCase() === 'true';
  const folders = ctx.mb.childFolders(parentId, includeHidden).map((f) => renderFolder(ctx.mb, f));
  return respondList(ctx, folders, FOLDER_SPEC, (f) => ({ ...f }), 'mailFolders');
}

function createFolder(ctx: Ctx, parentId: string): GraphResponse {
  const input = parseBody(ctx.body, mailFolderIn, 'mailFolder', ['id', 'parentFolderId']);
  const clash = ctx.mb
    .childFolders(parentId, true)
    .some((f) => f.displayName.toLowerCase() === input.displayName.toLowerCase());
  if (clash)
    throw new GraphError(409, 'ErrorFolderExists', 'A folder with the specified name already exists.');
  const f = ctx.mb.addFolder(input.displayName, parentId, input.isHidden ?? false);
  return entity(ctx, 'mailFolders', { ...renderFolder(ctx.mb, f) }, 201);
}

function folderDelta(ctx: Ctx): GraphResponse {
  const mb = ctx.mb;
  const select = resolveSelect(ctx.q.select, FOLDER_SPEC);
  return json(
    200,
    ctx.svc.delta.respond({
      userId: mb.user.id,
      collection: 'mailFolders',
      linkBase: ctx.url,
      context: `${ctx.svc.baseUrl}/$metadata#Collection(mailFolder)`,
      q: ctx.q,
      view: ctx.view,
      prefMaxPageSize: ctx.prefer.maxPageSize,
      defaultPageSize: ctx.svc.pageSize,
      initial: () => ({
        pageSize: ctx.q.top,
        changeType: null,
        list: (): DeltaItem[] =>
          mb.allFolders(false).map((f) => ({
            key: f.id,
            version: `${f.changeKey}|${f.displayName}|${f.parentId}`,
            id: f.id,
            render: () => project({ ...renderFolder(mb, f) }, select),
          })),
      }),
    }),
  );
}

// ---------------------------------------------------------------------------
// Message lists

/** KQL-ish $search: terms (AND) over subject/body/from/to; `from:`, `to:`, `subject:`, `body:` restrictions. */
export function matchesSearch(m: MessageRec, query: string): boolean {
  const terms = query.match(/(\w+:)?("[^"]*"|\S+)/g) ?? [];
  const addr = (rs: Array<{ emailAddress: { name: string; address: string } } | null>): string =>
    rs
      .map((r) => (r ? `${r.emailAddress.name} ${r.emailAddress.address}` : ''))
      .join(' ')
      .toLowerCase();
  return terms.every((term) => {
    if (/^(AND)$/.test(term)) return true;
    const m2 = /^(\w+):(.*)$/.exec(term);
    const prop = m2?.[1]?.toLowerCase();
    const value = (m2 ? (m2[2] ?? '') : term).replace(/^"|"$/g, '').toLowerCase();
    const subject = m.subject.toLowerCase();
    const body = m.body.content.toLowerCase();
    const from = addr([m.from]);
    const to = addr([...m.toRecipients, ...m.ccRecipients]);
    switch (prop) {
      case 'subject':
        return subject.includes(value);
      case 'body':
        return body.includes(value);
      case 'from':
        return from.includes(value);
      case 'to':
        return to.includes(value);
      case 'cc':
        return addr(m.ccRecipients).includes(value);
      case 'hasattachment':
      case 'hasattachments':
        return m.attachments.some((a) => !a.isInline) === (value === 'true');
      default:
        return [subject, body, from, to].some((s) => s.includes(value));
    }
  });
}

const EXT_PROP_SPEC: EntitySpec<SingleValueExtendedProperty> = {
  type: 'singleValueLegacyExtendedProperty',
  properties: ['id', 'value'],
  fields: { id: scalar('string', (p) => p.id), value: scalar('string', (p) => p.value) },
};

interface MessageExpand {
  attachments: boolean;
  extended: ExpandItem | null;
}

function messageExpand(items: ExpandItem[] | null): MessageExpand {
  const out: MessageExpand = { attachments: false, extended: null };
  for (const e of items ?? []) {
    const name = e.name.toLowerCase();
    if (name === 'attachments') out.attachments = true;
    else if (name === 'singlevalueextendedproperties') {
      // Graph requires a $filter naming the properties to expand.
      if (!e.filter) throw badRequest('Expanding singleValueExtendedProperties requires a $filter on id.');
      out.extended = e;
    } else {
      throw unknownProperty(e.name, 'message');
    }
  }
  return out;
}

function renderMessageFull(
  m: MessageRec,
  view: View,
  select: string[] | null,
  expand: MessageExpand,
): JsonObject {
  const out = project(messageJson(m, view, select), select);
  if (expand.attachments) out['attachments'] = m.attachments.map((a) => renderAttachment(a, true));
  if (expand.extended) {
    const props = applyFilter(m.singleValueExtendedProperties, expand.extended.filter, EXT_PROP_SPEC);
    if (props.length > 0) out['singleValueExtendedProperties'] = props.map((p) => ({ ...p }));
  }
  return out;
}

function listMessages(ctx: Ctx, folder: FolderRec | null): GraphResponse {
  const q = ctx.q;
  const all = folder ? ctx.mb.messagesIn(folder.id) : [...ctx.mb.messages.values()];
  // Default order: newest first.
  let items = all.sort((a, b) => b.receivedMs - a.receivedMs || b.seq - a.seq);
  if (q.search !== null) {
    // Graph: $search on messages cannot be combined with $filter or $orderby.
    if (q.orderby) throw badRequest("The query parameter '$orderby' is not supported with '$search'.");
    if (q.filter) throw badRequest("The query parameter '$filter' is not supported with '$search'.");
    const search = q.search;
    items = items.filter((m) => matchesSearch(m, search));
  }
  if (q.filter && q.orderby) {
    // Exchange's documented restriction: properties in $orderby must appear first in $filter, in the same order.
    const paths = filterPaths(q.filter).map((p) => p.toLowerCase());
    q.orderby.forEach((o, i) => {
      if (paths[i] !== o.path.toLowerCase()) {
        throw new GraphError(
          400,
          'InefficientFilter',
          'The restriction or sort order is too complex for this operation.',
        );
      }
    });
  }
  const expand = messageExpand(q.expand);
  const select = resolveSelect(q.select, MESSAGE_SPEC);
  items = applyFilter(items, q.filter, MESSAGE_SPEC);
  // Stable sort: newest-first stays the tie-breaker.
  items = applyOrderBy(items, q.orderby, MESSAGE_SPEC);
  const { page, nextLink } = paginate(items, q, pageSize(ctx), ctx.url, ctx.raw);
  return json(
    200,
    collectionBody(
      collectionContext(ctx, folder ? `mailFolders('${folder.id}')/messages` : 'messages', select),
      page.map((m) => renderMessageFull(m, ctx.view, select, expand)),
      { nextLink, count: q.count ? items.length : undefined },
    ),
  );
}

function countMessages(ctx: Ctx, folder: FolderRec | null): GraphResponse {
  const n = folder ? ctx.mb.messagesIn(folder.id).length : ctx.mb.messages.size;
  return { status: 200, headers: {}, body: { kind: 'text', value: String(n) } };
}

function messageDelta(ctx: Ctx): GraphResponse {
  const mb = ctx.mb;
  const folder = mb.requireFolder(ctx.params['folderId'] ?? '');
  return json(
    200,
    ctx.svc.delta.respond({
      userId: mb.user.id,
      collection: `messages:${folder.id}`,
      linkBase: ctx.url,
      context: `${ctx.svc.baseUrl}/$metadata#Collection(message)`,
      q: ctx.q,
      view: ctx.view,
      prefMaxPageSize: ctx.prefer.maxPageSize,
      defaultPageSize: ctx.svc.pageSize,
      initial: () => {
        const q = ctx.q;
        const select = resolveSelect(q.select, MESSAGE_SPEC);
        // Message delta supports $filter on receivedDateTime only, and $orderby receivedDateTime desc.
        if (q.filter && filterPaths(q.filter).some((p) => p.toLowerCase() !== 'receiveddatetime')) {
          throw badRequest(
            'Delta queries on messages support $filter on receivedDateTime only.',
            'ErrorInvalidUrlQueryFilter',
          );
        }
        if (
          q.orderby &&
          (q.orderby.length !== 1 ||
            q.orderby[0]?.path.toLowerCase() !== 'receiveddatetime' ||
            !q.orderby[0].desc)
        ) {
          throw badRequest('Delta queries on messages support $orderby=receivedDateTime desc only.');
        }
        const changeType = ctx.raw.get('changeType');
        if (changeType !== null && !['created', 'updated', 'deleted'].includes(changeType)) {
          throw badRequest(`Invalid changeType '${changeType}'.`);
        }
        const filter = q.filter;
        return {
          pageSize: q.top,
          changeType:
            changeType === 'created' || changeType === 'updated' || changeType === 'deleted'
              ? changeType
              : null,
          list: (view: View): DeltaItem[] => {
            const items = applyFilter(mb.messagesIn(folder.id), filter, MESSAGE_SPEC).sort(
              (a, b) => b.receivedMs - a.receivedMs || b.seq - a.seq,
            );
            return items.map((m) => ({
              key: m.key,
              version: m.changeKey,
              id: messageId(m, view),
              render: () => ({
                '@odata.type': '#microsoft.graph.message',
                ...project(messageJson(m, view, select), select),
              }),
            }));
          },
        };
      },
    }),
  );
}

// ---------------------------------------------------------------------------
// Single messages and actions

const message = (ctx: Ctx): MessageRec => ctx.mb.requireMessage(ctx.params['messageId'] ?? '');
const messageEntity = (ctx: Ctx, m: MessageRec, status = 200): GraphResponse =>
  entity(
    ctx,
    'messages',
    renderMessageFull(m, ctx.view, null, { attachments: false, extended: null }),
    status,
  );

function getMessage(ctx: Ctx): GraphResponse {
  const m = message(ctx);
  const select = resolveSelect(ctx.q.select, MESSAGE_SPEC);
  const value = renderMessageFull(m, ctx.view, select, messageExpand(ctx.q.expand));
  return json(200, { '@odata.context': `${collectionContext(ctx, 'messages', select)}/$entity`, ...value });
}

function patchMessage(ctx: Ctx): GraphResponse {
  const m = message(ctx);
  const input = parseBody(ctx.body, messageIn, 'message', MESSAGE_READ_ONLY);
  if (input.attachments)
    throw badRequest("The property 'attachments' cannot be updated with PATCH; POST to /attachments.");
  applyMessageInput(m, input);
  touch(m);
  return ctx.prefer.returnMinimal ? empty(204) : messageEntity(ctx, m);
}

function deleteMessage(ctx: Ctx): GraphResponse {
  const m = message(ctx);
  // DELETE is a soft delete: the item moves to Deleted Items (deleting from there removes it).
  const deleted = ctx.mb.wellKnown('deleteditems');
  if (m.folderId === deleted.id) ctx.mb.removeMessage(m);
  else ctx.mb.moveMessage(m, deleted.id);
  return empty(204);
}

function createMessage(ctx: Ctx, folder: FolderRec): GraphResponse {
  const input = parseBody(ctx.body, messageIn, 'message', MESSAGE_READ_ONLY);
  const content = blankContent(ctx.mb, Date.now());
  applyMessageInput(content, input);
  const m = ctx.mb.addMessage(content, folder.id);
  return messageEntity(ctx, m, 201);
}

function moveOrCopy(ctx: Ctx, copy: boolean): GraphResponse {
  const m = message(ctx);
  const { destinationId } = parseBody(ctx.body, moveIn, 'message');
  const dest = ctx.mb.requireFolder(destinationId);
  if (!copy) {
    ctx.mb.moveMessage(m, dest.id);
    return messageEntity(ctx, m, 201);
  }
  return messageEntity(ctx, cloneMessage(ctx.mb, m, dest.id), 201);
}

function respondTo(ctx: Ctx, kind: ResponseKind, createOnly: boolean): GraphResponse {
  const original = message(ctx);
  const input = parseBody(ctx.body, replyIn, 'message');
  const content = composeResponse(ctx.mb, original, kind, {
    comment: input.comment,
    message: input.message,
    toRecipients: input.toRecipients ? normRecipients(input.toRecipients) : undefined,
  });
  const draft = ctx.mb.addMessage(content, ctx.mb.wellKnown('drafts').id);
  if (createOnly) return messageEntity(ctx, draft, 201);
  try {
    ctx.svc.mail.sendDraft(ctx.mb, draft, kind);
  } catch (e) {
    ctx.mb.removeMessage(draft);
    throw e;
  }
  return empty(202);
}

// ---------------------------------------------------------------------------
// Attachments

const ATTACHMENT_SPEC: EntitySpec<JsonObject> = {
  type: 'attachment',
  properties: [
    'id',
    'lastModifiedDateTime',
    'name',
    'contentType',
    'size',
    'isInline',
    'contentId',
    'contentLocation',
    'contentBytes',
  ],
  fields: {
    name: scalar('string', (a) => (typeof a['name'] === 'string' ? a['name'] : null)),
    isinline: scalar('boolean', (a) => (typeof a['isInline'] === 'boolean' ? a['isInline'] : null)),
    size: scalar('number', (a) => (typeof a['size'] === 'number' ? a['size'] : null)),
  },
};

function attachment(ctx: Ctx, m: MessageRec) {
  const a = m.attachments.find((x) => x.id === ctx.params['attachmentId']);
  if (!a) throw new GraphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
  return a;
}

function listAttachments(ctx: Ctx): GraphResponse {
  const m = message(ctx);
  const items: JsonObject[] = m.attachments.map((a) => ({ ...renderAttachment(a, true) }));
  return respondList(
    ctx,
    items,
    ATTACHMENT_SPEC,
    (a) => a,
    `messages('${messageId(m, ctx.view)}')/attachments`,
  );
}

function addAttachment(ctx: Ctx): GraphResponse {
  const m = message(ctx);
  const input = parseBody(ctx.body, fileAttachmentIn, 'attachment');
  const a = attachmentFromInput(input);
  m.attachments.push(a);
  touch(m);
  return entity(
    ctx,
    `messages('${messageId(m, ctx.view)}')/attachments`,
    { ...renderAttachment(a, true) },
    201,
  );
}

function createUploadSession(ctx: Ctx): GraphResponse {
  const m = message(ctx);
  const { AttachmentItem: item } = parseBody(ctx.body, uploadSessionIn, 'attachmentItem');
  if (item.attachmentType !== 'file')
    throw badRequest('Only attachmentType "file" is supported by upload sessions.');
  if (item.size < MIN_SESSION_SIZE) {
    throw badRequest(
      'The attachment size is below the minimum for an upload session (3 MB); POST the attachment directly.',
      'ErrorAttachmentSizeShouldNotBeLessThanMinimumSize',
    );
  }
  if (item.size > MAX_SESSION_SIZE)
    throw badRequest('The attachment exceeds the maximum size of 150 MB.', 'ErrorMessageSizeExceeded');
  const session = ctx.svc.uploads.create(ctx.mb, m.key, item);
  return json(201, {
    '@odata.context': `${ctx.svc.baseUrl}/$metadata#microsoft.graph.uploadSession`,
    ...session,
  });
}

// ---------------------------------------------------------------------------

/** Routes for one message, mounted at both `messages/:messageId` and `mailFolders/:folderId/messages/:messageId`. */
function messageItemRoutes(prefix: string): Route[] {
  const p = `${prefix}messages/:messageId`;
  const action = (name: string, handler: (ctx: Ctx) => GraphResponse): Route => ({
    method: 'POST',
    path: `${p}/${name}`,
    hasBody: true,
    handler,
  });
  return [
    { method: 'GET', path: p, query: ['$select', '$expand'], handler: getMessage },
    { method: 'PATCH', path: p, hasBody: true, handler: patchMessage },
    { method: 'DELETE', path: p, handler: deleteMessage },
    action('permanentDelete', (ctx) => {
      ctx.mb.removeMessage(message(ctx));
      return empty(204);
    }),
    action('move', (ctx) => moveOrCopy(ctx, false)),
    action('copy', (ctx) => moveOrCopy(ctx, true)),
    action('send', (ctx) => {
      ctx.svc.mail.sendDraft(ctx.mb, message(ctx), 'send');
      return empty(202);
    }),
    action('reply', (ctx) => respondTo(ctx, 'reply', false)),
    action('replyAll', (ctx) => respondTo(ctx, 'replyAll', false)),
    action('forward', (ctx) => respondTo(ctx, 'forward', false)),
    action('createReply', (ctx) => respondTo(ctx, 'reply', true)),
    action('createReplyAll', (ctx) => respondTo(ctx, 'replyAll', true)),
    action('createForward', (ctx) => respondTo(ctx, 'forward', true)),
    {
      method: 'GET',
      path: `${p}/attachments`,
      query: ['$select', '$top', '$skip', '$filter', '$orderby', '$count'],
      handler: listAttachments,
    },
    { method: 'POST', path: `${p}/attachments`, hasBody: true, handler: addAttachment },
    action('attachments/createUploadSession', createUploadSession),
    {
      method: 'GET',
      path: `${p}/attachments/:attachmentId`,
      query: ['$select'],
      handler: (ctx) => {
        const m = message(ctx);
        const select = resolveSelect(ctx.q.select, ATTACHMENT_SPEC);
        return entity(
          ctx,
          `messages('${messageId(m, ctx.view)}')/attachments`,
          project({ ...renderAttachment(attachment(ctx, m), true) }, select),
        );
      },
    },
    {
      method: 'GET',
      path: `${p}/attachments/:attachmentId/$value`,
      handler: (ctx) => {
        const a = attachment(ctx, message(ctx));
        return {
          status: 200,
          headers: {},
          body: { kind: 'bytes', value: a.bytes, contentType: a.contentType },
        };
      },
    },
    {
      method: 'DELETE',
      path: `${p}/attachments/:attachmentId`,
      handler: (ctx) => {
        const m = message(ctx);
        const a = attachment(ctx, m);
        m.attachments = m.attachments.filter((x) => x !== a);
        touch(m);
        return empty(204);
      },
    },
  ];
}

const folderOf = (ctx: Ctx): FolderRec => ctx.mb.requireFolder(ctx.params['folderId'] ?? '');

export function mailRoutes(): Route[] {
  return [
    {
      method: 'GET',
      path: 'mailFolders',
      query: FOLDER_LIST_Q,
      handler: (ctx) => folderList(ctx, ctx.mb.rootFolderId),
    },
    {
      method: 'POST',
      path: 'mailFolders',
      hasBody: true,
      handler: (ctx) => createFolder(ctx, ctx.mb.rootFolderId),
    },
    {
      method: 'GET',
      path: 'mailFolders/delta',
      query: ['$select', '$top', '$skiptoken', '$deltatoken'],
      handler: folderDelta,
    },
    {
      method: 'GET',
      path: 'mailFolders/:folderId',
      query: ['$select'],
      handler: (ctx) => {
        const select = resolveSelect(ctx.q.select, FOLDER_SPEC);
        return entity(ctx, 'mailFolders', project({ ...renderFolder(ctx.mb, folderOf(ctx)) }, select));
      },
    },
    {
      method: 'PATCH',
      path: 'mailFolders/:folderId',
      hasBody: true,
      handler: (ctx) => {
        const f = folderOf(ctx);
        const input = parseBody(ctx.body, mailFolderPatchIn, 'mailFolder', [
          'id',
          'parentFolderId',
          'childFolderCount',
          'unreadItemCount',
          'totalItemCount',
          'sizeInBytes',
          'isHidden',
        ]);
        f.displayName = input.displayName;
        f.changeKey = newChangeKey();
        return entity(ctx, 'mailFolders', { ...renderFolder(ctx.mb, f) });
      },
    },
    {
      method: 'DELETE',
      path: 'mailFolders/:folderId',
      handler: (ctx) => {
        const f = folderOf(ctx);
        if (f.wellKnown)
          throw badRequest('Distinguished folders cannot be deleted.', 'ErrorDeleteDistinguishedFolder');
        ctx.mb.deleteFolder(f);
        return empty(204);
      },
    },
    {
      method: 'GET',
      path: 'mailFolders/:folderId/childFolders',
      query: FOLDER_LIST_Q,
      handler: (ctx) => folderList(ctx, folderOf(ctx).id),
    },
    {
      method: 'POST',
      path: 'mailFolders/:folderId/childFolders',
      hasBody: true,
      handler: (ctx) => createFolder(ctx, folderOf(ctx).id),
    },
    {
      method: 'GET',
      path: 'mailFolders/:folderId/messages/delta',
      query: ['$select', '$top', '$filter', '$orderby', '$skiptoken', '$deltatoken'],
      handler: messageDelta,
    },
    {
      method: 'GET',
      path: 'mailFolders/:folderId/messages/$count',
      handler: (ctx) => countMessages(ctx, folderOf(ctx)),
    },
    {
      method: 'GET',
      path: 'mailFolders/:folderId/messages',
      query: LIST_Q,
      handler: (ctx) => listMessages(ctx, folderOf(ctx)),
    },
    {
      method: 'POST',
      path: 'mailFolders/:folderId/messages',
      hasBody: true,
      handler: (ctx) => createMessage(ctx, folderOf(ctx)),
    },
    ...messageItemRoutes('mailFolders/:folderId/'),
    { method: 'GET', path: 'messages/$count', handler: (ctx) => countMessages(ctx, null) },
    { method: 'GET', path: 'messages', query: LIST_Q, handler: (ctx) => listMessages(ctx, null) },
    {
      method: 'POST',
      path: 'messages',
      hasBody: true,
      handler: (ctx) => createMessage(ctx, ctx.mb.wellKnown('drafts')),
    },
    ...messageItemRoutes(''),
    {
      method: 'POST',
      path: 'sendMail',
      hasBody: true,
      handler: (ctx) => {
        const input = parseBody(ctx.body, sendMailIn, 'sendMail');
        const content = blankContent(ctx.mb, Date.now());
        applyMessageInput(content, input.message);
        ctx.svc.mail.sendNew(ctx.mb, content, input.saveToSentItems ?? true, 'sendMail');
        return empty(202);
      },
    },
  ];
}

/** A copy of a message (POST /copy): new ids, deep-copied content. */
export function cloneMessage(mb: Mailbox, m: MessageRec, folderId: string): MessageRec {
  const { attachments, ...rest } = m;
  return mb.addMessage(
    {
      ...structuredClone(rest),
      attachments: attachments.map((a) => ({ ...a, id: newId('attachment'), bytes: Buffer.from(a.bytes) })),
    },
    folderId,
  );
}
