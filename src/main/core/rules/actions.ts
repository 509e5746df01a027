import type { RuleAction, Rule } from '../../../shared/contract/automation';
import type { CalendarEvent, MessageDetail, Occurrence } from '../../../shared/types';
import type { Core } from '../core';
import { forward as forwardFields, parseAddressList, replySubject } from '../mime';
import { parseICalendar } from '../pim';
import { replyBasis } from '../mail/service';
import { PimlicoError } from '../util/errors';

/** What a rule fired on: a message, or a calendar item (with the occurrence for upcoming events). */
export type RuleItem = { kind: 'message'; message: MessageDetail } | { kind: 'event'; event: CalendarEvent; occurrence: Occurrence | null };

export const MAIL_ONLY_ACTIONS = new Set<RuleAction['type']>(['markRead', 'flag', 'move', 'forward', 'replyTemplate', 'addSenderToContacts', 'createEventFromInvitation']);

/** Webhooks may only call this machine: rules run unattended and must not leak mail elsewhere. */
export function isLocalUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return (u.protocol === 'http:' || u.protocol === 'https:') && ['127.0.0.1', 'localhost', '[::1]', '::1'].includes(u.hostname);
  } catch {
    return false;
  }
}

/** The item as JSON, in the connector's field names (ReceiveMessage, CalendarItem). */
export function itemJson(item: RuleItem, rule: Rule): Record<string, unknown> {
  if (item.kind === 'message') {
    const m = item.message;
    const list = (a: { address: string }[]) => a.map((x) => x.address).join(';');
    return {
      Rule: rule.name,
      Id: m.id,
      From: m.from?.address ?? '',
      To: list(m.to),
      Cc: list(m.cc),
      Subject: m.subject,
      Body: m.bodyText,
      IsHtml: false,
      IsRead: m.isRead,
      HasAttachment: m.hasAttachments,
      Importance: m.importance[0]!.toUpperCase() + m.importance.slice(1),
      DateTimeReceived: new Date(m.date).toISOString(),
    };
  }
  const e = item.event;
  return {
    Rule: rule.name,
    Id: e.id,
    ItemInternalId: e.id,
    Subject: e.summary,
    Body: e.description,
    Location: e.location,
    Start: new Date(item.occurrence?.startUtc ?? e.startUtc).toISOString(),
    End: new Date(item.occurrence?.endUtc ?? e.endUtc).toISOString(),
    IsAllDay: e.allDay,
    TimeZone: e.timeZone,
  };
}

/** Fills {{sender}}, {{senderName}} and {{subject}} in a reply template. */
function fillTemplate(template: string, m: MessageDetail): string {
  return template
    .replace(/\{\{\s*senderName\s*\}\}/g, m.from?.name || m.from?.address || '')
    .replace(/\{\{\s*sender\s*\}\}/g, m.from?.address ?? '')
    .replace(/\{\{\s*subject\s*\}\}/g, m.subject);
}

/**
 * Applies one action. Everything with a remote effect goes through the task queue or the outbox, so
 * it survives restarts and is retried there; the returned ref names the task or outbox entry.
 * Throws PimlicoError for failures that retrying cannot fix, anything else is retried by the caller.
 */
export async function applyAction(core: Core, rule: Rule, action: RuleAction, item: RuleItem, notify: (title: string, body: string) => void): Promise<string | null> {
  if (action.type === 'notify') {
    const title = item.kind === 'message' ? item.message.from?.name || item.message.from?.address || 'New mail' : item.event.summary || 'Event';
    const body = item.kind === 'message' ? item.message.subject : item.event.location;
    notify(`${rule.name}: ${title}`, body);
    return null;
  }
  if (action.type === 'webhook') {
    if (!isLocalUrl(action.url)) throw new PimlicoError('Forbidden', `Webhooks may only call this machine, not ${action.url}`);
    const res = await fetch(action.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'User-Agent': 'Pimlico-Rules' },
      body: JSON.stringify(itemJson(item, rule)),
      signal: AbortSignal.timeout(15_000),
    });
    await res.body?.cancel();
    if (!res.ok) throw new Error(`The webhook answered ${res.status}`);
    return null;
  }
  if (item.kind !== 'message') throw new PimlicoError('Unsupported', `The action '${action.type}' needs a message, not a calendar item`);
  const m = core.store.mail.detail(item.message.id);
  if (!m) throw new PimlicoError('NotFound', 'The message is no longer in the cache');
  const account = core.accounts.get(m.accountId);
  switch (action.type) {
    case 'markRead':
      return core.mail.setFlags([m.id], { read: true }).id;
    case 'flag':
      return core.mail.setFlags([m.id], { flagged: true }).id;
    case 'move': {
      if (m.folderId === action.folderId) return null;
      return core.mail.move([m.id], action.folderId).id;
    }
    case 'forward': {
      const to = parseAddressList(action.to);
      if (to.length === 0) throw new PimlicoError('BadRequest', `No address to forward to in '${action.to}'`);
      const fields = forwardFields(
        replyBasis(m),
        { comment: action.comment },
      );
      const attachments = [];
      for (const a of m.attachments.filter((x) => !x.inline)) {
        const got = await core.mail.attachment(m.id, a.id, undefined).catch(() => null);
        if (got) attachments.push({ filename: got.filename, contentType: got.contentType, contentBase64: got.contentBase64 });
      }
      return (await core.mail.send({ accountId: account.id, to, subject: fields.subject, bodyText: fields.text, attachments })).outboxId;
    }
    case 'replyTemplate': {
      const to = m.replyTo.length ? m.replyTo : m.from ? [m.from] : [];
      if (to.length === 0) throw new PimlicoError('BadRequest', 'The message has no sender to reply to');
      return (
        await core.mail.send({ accountId: account.id, to, subject: replySubject(m.subject), bodyText: fillTemplate(action.body, m), inReplyToMessageId: m.id })
      ).outboxId;
    }
    case 'addSenderToContacts': {
      const address = m.from?.address;
      if (!address) throw new PimlicoError('BadRequest', 'The message has no sender address');
      const { contact } = core.contacts.addAddress({
        name: m.from?.name ?? '',
        address,
        accountId: account.id,
        ...(action.addressBookId ? { addressBookId: action.addressBookId } : {}),
      });
      return contact.id;
    }
    case 'createEventFromInvitation': {
      const part = m.attachments.find((a) => a.contentType.startsWith('text/calendar') || a.filename.toLowerCase().endsWith('.ics'));
      if (!part) throw new PimlicoError('Unsupported', 'This message carries no invitation (.ics)');
      const bytes = await core.mail.attachment(m.id, part.id, undefined);
      const parsed = parseICalendar(Buffer.from(bytes.contentBase64, 'base64').toString('utf8'));
      const ev = parsed.events.find((e) => !e.data.recurrenceId)?.data ?? parsed.events[0]?.data;
      if (!ev) throw new PimlicoError('BadRequest', 'The invitation holds no event');
      const calendarId = action.calendarId ?? core.store.pim.calendars(account.id).find((c) => !c.readOnly)?.id;
      if (!calendarId) throw new PimlicoError('Unsupported', 'This account has no calendar to add the event to');
      const created = core.calendar.create(calendarId, {
        summary: ev.summary,
        description: ev.description,
        location: ev.location,
        start: ev.start.slice(0, 19),
        end: ev.end.slice(0, 19),
        timeZone: ev.timeZone === 'floating' ? 'UTC' : ev.timeZone,
        allDay: ev.allDay,
        rrule: ev.rrule,
        reminderMinutes: ev.reminderMinutes,
      });
      return created.event.id;
    }
  }
}
