import type { ApprovalInfo } from '../../../shared/contract/automation';
import type { Account, MessageDetail } from '../../../shared/types';
import type { Core } from '../core';
import type { LedgerRepo } from '../notifications/ledger';
import type { NotificationPayload } from '../poller/poller';
import { backoffMs } from '../tasks/queue';
import { badRequest, errorMessage, notFound } from '../util/errors';
import { newId } from '../util/ids';
import { parseJson } from '../store/json';
import { chosenOption, offeredOptions, optionsBody, optionsMailHeaders, optionSubject, readReplyToken, splitOptions, type OptionsHeader } from './format';
import { parseAddressList } from '../mime';

const MAX_DELIVERY_ATTEMPTS = 8;

interface SubscriptionRow {
  id: string;
  kind: 'options' | 'approval';
  account_id: string;
  notification_url: string | null;
  recipients_json: string;
  subject: string;
  options_json: string;
  message_id_header: string | null;
  status: 'waiting' | 'answered' | 'cancelled';
  selected_option: string | null;
  created_at: number;
  resolved_at: number | null;
}

interface ResponseRow {
  id: string;
  subscription_id: string;
  message_id: string;
  responder: string;
  selected_option: string | null;
  outcome: 'accepted' | 'duplicate' | 'no-match';
  subject: string;
  delivery_status: 'none' | 'pending' | 'delivered' | 'failed';
  delivery_attempts: number;
  delivery_error: string | null;
  created_at: number;
}

/** The subscription as the connector's GET answers it (SubscriptionResponse plus the outcome). */
export interface SubscriptionState {
  id: string;
  resource: string;
  notificationType: string;
  notificationUrl: string | null;
  status: 'waiting' | 'answered' | 'cancelled';
  SelectedOption: string | null;
  UserEmailAddress: string | null;
  respondedAt: string | null;
}

const recipientsText = (json: string) =>
  parseJson<unknown[]>(json, [])
    .map((r) => (typeof r === 'string' ? r : r && typeof r === 'object' && 'address' in r ? String((r as { address: unknown }).address) : ''))
    .filter(Boolean)
    .join(';');

/**
 * Answers to SendApprovalMail / SendMailWithOptions: the poller hands it each new message; a reply
 * carrying a subscription's token (or answering its Message-ID) resolves the subscription once.
 */
export class ApprovalsService {
  private delivering: Promise<void> | null = null;

  constructor(
    private readonly core: Core,
    private readonly ledger: LedgerRepo,
    private readonly emit: (n: NotificationPayload) => void,
  ) {}

  private subscription(id: string): SubscriptionRow | undefined {
    return this.core.store.db.prepare('SELECT * FROM mail_subscriptions WHERE id = ?').get(id) as SubscriptionRow | undefined;
  }

  private subscriptionFor(m: MessageDetail, accountId: string): { sub: SubscriptionRow; optionNumber: number | null } | null {
    const reading = readReplyToken(m.subject);
    if (reading) {
      const sub = this.subscription(reading.subscriptionId);
      return sub && sub.account_id === accountId ? { sub, optionNumber: reading.optionNumber } : null;
    }
    const ids = [m.inReplyTo, ...m.references].filter((x): x is string => !!x);
    if (ids.length === 0) return null;
    const sub = this.core.store.db
      .prepare(`SELECT * FROM mail_subscriptions WHERE account_id = ? AND message_id_header IN (SELECT value FROM json_each(?)) LIMIT 1`)
      .get(accountId, JSON.stringify(ids)) as SubscriptionRow | undefined;
    return sub ? { sub, optionNumber: null } : null;
  }

  /** Called inside the poller's transaction for every new message in a watched folder. */
  consider(m: MessageDetail, account: Account, now: number): NotificationPayload[] {
    const found = this.subscriptionFor(m, account.id);
    if (!found) return [];
    const { sub } = found;
    const db = this.core.store.db;
    const key = m.messageIdHeader ?? m.id;
    if (db.prepare('SELECT 1 FROM approval_responses WHERE message_id = ?').get(key)) return [];
    const options = parseJson<string[]>(sub.options_json, []);
    const option = chosenOption(options, { subscriptionId: sub.id, optionNumber: found.optionNumber }, m.bodyText);
    const responder = m.from?.address ?? '';
    const already = sub.status !== 'waiting' || db.prepare("SELECT 1 FROM approval_responses WHERE subscription_id = ? AND outcome = 'accepted'").get(sub.id);
    const outcome = option === null ? 'no-match' : already ? 'duplicate' : 'accepted';
    const id = newId('apr');
    db.prepare(
      `INSERT INTO approval_responses (id, subscription_id, message_id, responder, selected_option, outcome, subject, delivery_status, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(id, sub.id, key, responder, option, outcome, m.subject.slice(0, 1000), outcome === 'accepted' && sub.notification_url ? 'pending' : 'none', now);
    const who = m.from?.name || responder || 'Someone';
    if (outcome !== 'accepted') {
      // Recorded and shown, but the first answer stands.
      this.ledger.record(
        { trigger: 'Approval', accountId: account.id, itemId: sub.id, itemKey: `response:${key}`, decision: 'suppressed', reason: outcome, title: `${who} answered "${sub.subject}"`, body: option ?? m.subject },
        now,
      );
      return [];
    }
    db.prepare("UPDATE mail_subscriptions SET status = 'answered', selected_option = ?, resolved_at = ? WHERE id = ?").run(option, now, sub.id);
    const title = `${who} chose "${option}"`;
    const body = sub.subject;
    const ledgerId = this.ledger.record({ trigger: 'Approval', accountId: account.id, itemId: sub.id, itemKey: `response:${key}`, decision: 'notified', reason: null, title, body }, now);
    return [{ id: ledgerId, title, body, target: { kind: 'approval', id: sub.id } }];
  }

  /** Posts each accepted answer to its NotificationUrl until the listener takes it (2xx), with backoff. */
  deliverDue(): Promise<void> {
    if (this.delivering) return this.delivering;
    this.delivering = this.deliverAll().finally(() => (this.delivering = null));
    return this.delivering;
  }

  async idle(): Promise<void> {
    while (this.delivering) await this.delivering;
  }

  private async deliverAll(): Promise<void> {
    const db = this.core.store.db;
    const due = db
      .prepare(
        `SELECT r.id, r.responder, r.selected_option, r.delivery_attempts, s.id AS sub_id, s.notification_url FROM approval_responses r
         JOIN mail_subscriptions s ON s.id = r.subscription_id
         WHERE r.delivery_status = 'pending' AND r.next_delivery_at <= ? ORDER BY r.created_at LIMIT 50`,
      )
      .all(this.core.now()) as { id: string; responder: string; selected_option: string; delivery_attempts: number; sub_id: string; notification_url: string }[];
    for (const d of due) {
      const attempts = d.delivery_attempts + 1;
      try {
        const res = await fetch(d.notification_url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'User-Agent': 'Pimlico' },
          body: JSON.stringify({ SelectedOption: d.selected_option, UserEmailAddress: d.responder, SubscriptionId: d.sub_id }),
          signal: AbortSignal.timeout(15_000),
        });
        await res.body?.cancel();
        if (!res.ok) throw new Error(`NotificationUrl answered ${res.status}`);
        db.prepare("UPDATE approval_responses SET delivery_status = 'delivered', delivery_attempts = ?, delivery_error = NULL WHERE id = ?").run(attempts, d.id);
      } catch (err) {
        const final = attempts >= MAX_DELIVERY_ATTEMPTS;
        db.prepare('UPDATE approval_responses SET delivery_status = ?, delivery_attempts = ?, next_delivery_at = ?, delivery_error = ? WHERE id = ?').run(
          final ? 'failed' : 'pending',
          attempts,
          this.core.now() + backoffMs(attempts),
          errorMessage(err),
          d.id,
        );
        this.core.log.warn('approval NotificationUrl delivery failed', { subscription: d.sub_id, attempts, error: errorMessage(err) });
      }
    }
  }

  /** GET /approvalmail/$subscriptions/{id} and the options equivalent. */
  state(id: string, kind: 'approval' | 'options'): SubscriptionState {
    const sub = this.subscription(id);
    if (!sub || sub.kind !== kind) throw notFound('Subscription', id);
    const accepted = this.core.store.db
      .prepare("SELECT responder, created_at FROM approval_responses WHERE subscription_id = ? AND outcome = 'accepted'")
      .get(id) as { responder: string; created_at: number } | undefined;
    return {
      id: sub.id,
      resource: `${kind === 'approval' ? '/approvalmail' : '/mailwithoptions'}/$subscriptions/${sub.id}`,
      notificationType: kind === 'approval' ? 'ApprovalEmail' : 'OptionsEmail',
      notificationUrl: sub.notification_url,
      status: sub.status,
      SelectedOption: sub.selected_option,
      UserEmailAddress: accepted?.responder ?? null,
      respondedAt: sub.resolved_at !== null ? new Date(sub.resolved_at).toISOString() : null,
    };
  }

  list(): ApprovalInfo[] {
    const db = this.core.store.db;
    const subs = db.prepare('SELECT * FROM mail_subscriptions ORDER BY created_at DESC LIMIT 500').all() as SubscriptionRow[];
    const responsesOf = db.prepare('SELECT * FROM approval_responses WHERE subscription_id = ? ORDER BY created_at, rowid');
    return subs.map((s) => {
      const responses = responsesOf.all(s.id) as ResponseRow[];
      const accepted = responses.find((r) => r.outcome === 'accepted');
      return {
        id: s.id,
        kind: s.kind,
        accountId: s.account_id,
        subject: s.subject,
        to: recipientsText(s.recipients_json),
        options: parseJson<string[]>(s.options_json, []),
        notificationUrl: s.notification_url,
        status: s.status === 'answered' ? 'resolved' : 'waiting',
        selectedOption: s.selected_option,
        respondedBy: accepted?.responder ?? null,
        respondedAt: s.resolved_at,
        createdAt: s.created_at,
        responses: responses.map((r) => ({
          id: r.id,
          responder: r.responder,
          selectedOption: r.selected_option,
          outcome: r.outcome,
          subject: r.subject,
          deliveryStatus: r.delivery_status,
          createdAt: r.created_at,
        })),
      };
    });
  }

  /**
   * The UI's compose mode for SendApprovalMail / SendMailWithOptions: the same subscription the
   * connector's POST routes store, and the same buttons, so replies resolve the same way.
   */
  async send(req: { accountId?: string; kind: 'approval' | 'options'; to: string; subject: string; body: string; options: string; notificationUrl: string | null }): Promise<{ id: string; outboxId: string }> {
    const account = this.core.accounts.resolve(req.accountId);
    if (!account.email) throw badRequest('This account has no address that answers could come back to');
    const options = splitOptions(req.options);
    if (options.length < 1 || options.length > 20) throw badRequest('Give 1 to 20 comma-separated options');
    const to = parseAddressList(req.to);
    if (to.length === 0) throw badRequest(`No recipient address in '${req.to}'`);
    const id = newId('sub');
    const { html, text } = optionsBody({ subscriptionId: id, replyTo: account.email, subject: req.subject, options }, req.body, false);
    const { outboxId } = await this.core.mail.send(
      { accountId: account.id, to, subject: req.subject, bodyText: text, bodyHtml: html },
      optionsMailHeaders({ subscriptionId: id, replyTo: account.email, subject: req.subject, options }),
    );
    const messageIdHeader = this.core.store.outbox.get(outboxId)?.messageIdHeader ?? null;
    this.core.store.db
      .prepare(
        `INSERT INTO mail_subscriptions (id, kind, account_id, notification_url, recipients_json, subject, options_json, message_json,
           outbox_id, message_id_header, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        req.kind,
        account.id,
        req.notificationUrl,
        JSON.stringify(to),
        req.subject,
        JSON.stringify(options),
        JSON.stringify({ To: req.to, Subject: req.subject, Body: req.body, Options: options.join(', ') }),
        outboxId,
        messageIdHeader,
        this.core.now(),
      );
    this.core.events.emit('store.changed', { entities: ['outbox'] });
    return { id, outboxId };
  }

  offered(messageId: string): OptionsHeader | null {
    const m = this.core.store.mail.detail(messageId);
    if (!m) throw notFound('Message', messageId);
    return offeredOptions(m);
  }

  /** The reading pane's buttons: answer an options mail received in Pimlico with a real reply. */
  async respond(messageId: string, option: string): Promise<{ outboxId: string }> {
    const m = this.core.store.mail.detail(messageId);
    if (!m) throw notFound('Message', messageId);
    const header = offeredOptions(m);
    if (!header) throw badRequest('This message does not ask for a choice');
    const index = header.options.indexOf(option);
    if (index < 0) throw badRequest(`'${option}' is not one of this message's options (${header.options.join(', ')})`);
    const subject = m.subject.replace(/^\s*(re|aw|sv)\s*:\s*/i, '');
    return this.core.mail.send({
      accountId: m.accountId,
      to: [{ name: '', address: header.replyTo }],
      subject: optionSubject({ subscriptionId: header.id, subject }, option, index),
      bodyText: option,
      inReplyToMessageId: m.id,
    });
  }
}
