import type { Draft, MessageDetail } from '../../../../shared/types';
import { newEmails, startSeqTrigger, type SeqWatermark } from '../../triggers';
import { optionsBody, optionsMailHeaders, splitOptions } from '../../approvals/format';
import { newId } from '../../util/ids';
import { HttpError } from '../http';
import { ERROR_RESPONSES, receiveMessage, resolveFolder } from './common';
import { addressList, EmailSubscription, readBodyAs, type ReceiveMessage } from './objects';
import { ACCOUNT_PARAM, type OperationContext, type OperationSpec } from './operation';
import { poll } from './triggers';

async function onNewEmail(ctx: OperationContext) {
  const { core } = ctx;
  const folder = resolveFolder(core, ctx.account, ctx.str('folderPath')!);
  const importance = ctx.str('importance')!.toLowerCase() as 'low' | 'normal' | 'high' | 'any';
  const query = {
    folderId: folder.id,
    to: addressList(ctx.str('to'), 'to').map((a) => a.address.toLowerCase()),
    from: addressList(ctx.str('from'), 'from').map((a) => a.address.toLowerCase()),
    importance,
    onlyWithAttachment: ctx.bool('fetchOnlyWithAttachment'),
    subjectFilter: ctx.str('subjectFilter') ?? null,
  };
  const includeAttachments = ctx.bool('includeAttachments');
  // Attachments are read before answering, so the batch is built first, then serialised.
  let batch: MessageDetail[] = [];
  const response = poll<SeqWatermark, MessageDetail>(ctx, {
    trigger: 'connector.OnNewEmail',
    params: { account: ctx.account.id, ...query, includeAttachments },
    start: () => startSeqTrigger(core.store),
    step: (wm) => newEmails(core.store, query, wm),
    toBody: (items) => {
      batch = items;
      return { value: [] as ReceiveMessage[] };
    },
  });
  if (response.status === 200) {
    const value: ReceiveMessage[] = [];
    for (const m of batch) value.push(await receiveMessage(core, m, includeAttachments));
    response.body = { value };
  }
  return response;
}

function subscribe(kind: 'options' | 'approval') {
  return async (ctx: OperationContext) => {
    const { core } = ctx;
    const account = ctx.account;
    const sub = readBodyAs(EmailSubscription, ctx.req.body, kind === 'options' ? 'OptionsEmailSubscription' : 'ApprovalEmailSubscription');
    const message = sub.Message;
    const optionsText = message.Options ?? (kind === 'approval' ? 'Approve, Reject' : undefined);
    const options = splitOptions(optionsText ?? '');
    if (options.length < 1 || options.length > 20) throw new HttpError(400, 'BadRequest', "'Message.Options' must list 1 to 20 comma-separated options");
    if (!account.email) throw new HttpError(400, 'BadRequest', 'This account has no address that replies could come back to');
    const id = newId('sub');
    // The poller reads the answer back from the option buttons' mailto: subjects (approvals/format.ts).
    const body = message.Body ?? '';
    const mailInput = { subscriptionId: id, replyTo: account.email, subject: message.Subject, options };
    const rendered = optionsBody(mailInput, body, /<[a-z][^>]*>/i.test(body));
    const draft: Draft = {
      accountId: account.id,
      to: addressList(message.To, 'Message.To'),
      subject: message.Subject,
      bodyText: rendered.text,
      bodyHtml: rendered.html,
      importance: message.Importance ?? 'normal',
      attachments: (message.Attachments ?? []).map((a) => ({ filename: a.Name, contentType: a.ContentType ?? 'application/octet-stream', contentBase64: a.ContentBytes })),
    };
    // Sent through the core directly: the Draft contract carries no headers, and X-Pimlico-Options
    // gives a recipient using Pimlico real buttons.
    const { outboxId } = await core.mail.send(draft, optionsMailHeaders(mailInput));
    void core.outbox.run(account.id);
    const messageIdHeader = core.store.outbox.get(outboxId)?.messageIdHeader ?? null;
    core.store.db
      .prepare(
        `INSERT INTO mail_subscriptions (id, kind, account_id, notification_url, recipients_json, subject, options_json, message_json,
           outbox_id, message_id_header, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        kind,
        account.id,
        sub.NotificationUrl ?? null,
        JSON.stringify(draft.to),
        message.Subject,
        JSON.stringify(options),
        JSON.stringify({ ...message, Attachments: (message.Attachments ?? []).map((a) => ({ Name: a.Name })) }),
        outboxId,
        messageIdHeader,
        core.now(),
      );
    const base = kind === 'options' ? '/mailwithoptions/$subscriptions' : '/approvalmail/$subscriptions';
    return {
      status: 201,
      body: {
        id,
        resource: `${base}/${id}`,
        notificationType: kind === 'options' ? 'OptionsEmail' : 'ApprovalEmail',
        notificationUrl: sub.NotificationUrl ?? '',
      },
    };
  };
}


export const mailTriggerOperations: OperationSpec[] = [
  {
    operationId: 'OnNewEmail',
    method: 'GET',
    path: '/Mail/OnNewEmail',
    summary: 'On new email',
    description: 'Polling trigger: 202 with Location and Retry-After on the first call; 200 with new emails (and a new Location) or 202 later.',
    tags: ['Mail'],
    trigger: true,
    params: [
      { name: 'folderPath', in: 'query', type: 'string', required: false, default: 'Inbox', description: 'Email folder to retrieve (default: Inbox)' },
      { name: 'to', in: 'query', type: 'string', required: false, description: 'Recipient email addresses' },
      { name: 'from', in: 'query', type: 'string', required: false, description: 'From address' },
      {
        name: 'importance',
        in: 'query',
        type: 'string',
        required: false,
        default: 'Normal',
        enum: ['High', 'Normal', 'Low', 'Any'],
        description: 'Importance of the email (High, Normal, Low; Any for all) (default: Normal)',
      },
      { name: 'fetchOnlyWithAttachment', in: 'query', type: 'boolean', required: false, default: false, description: 'Retrieve only emails with an attachment' },
      { name: 'includeAttachments', in: 'query', type: 'boolean', required: false, default: false, description: 'Include attachments' },
      { name: 'subjectFilter', in: 'query', type: 'string', required: false, description: 'String to look for in the subject' },
      { name: 'triggerState', in: 'query', type: 'string', required: false, description: 'Where the previous poll stopped (from the Location header)' },
      ACCOUNT_PARAM,
    ],
    responses: {
      '200': { description: 'Operation was successful', schema: 'TriggerBatchResponse_ReceiveMessage', headers: ['Location', 'Retry-After'] },
      '202': { description: 'Accepted', headers: ['Location', 'Retry-After'] },
      ...ERROR_RESPONSES,
    },
    handler: onNewEmail,
  },
  {
    operationId: 'SendMailWithOptions',
    method: 'POST',
    path: '/mailwithoptions/$subscriptions',
    summary: 'Send email with options',
    description: 'Sends an email whose options are links the recipient answers with; the subscription records it for the reply.',
    tags: ['Mail'],
    params: [ACCOUNT_PARAM],
    body: { name: 'optionsEmailSubscription', schema: 'OptionsEmailSubscription', description: 'Subscription request for options email' },
    responses: { '201': { description: 'Subscription Created', schema: 'SubscriptionResponse' }, ...ERROR_RESPONSES },
    handler: subscribe('options'),
  },
  {
    operationId: 'SendApprovalMail',
    method: 'POST',
    path: '/approvalmail/$subscriptions',
    summary: 'Send approval email',
    description: 'Sends an approval email (options default to "Approve, Reject") and records the subscription for the reply.',
    tags: ['Mail'],
    params: [ACCOUNT_PARAM],
    body: { name: 'approvalEmailSubscription', schema: 'ApprovalEmailSubscription', description: 'Subscription request for approval email' },
    responses: { '201': { description: 'Subscription Created', schema: 'SubscriptionResponse' }, ...ERROR_RESPONSES },
    handler: subscribe('approval'),
  },
];
