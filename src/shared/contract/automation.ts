import { z } from 'zod';
import { call } from './define';
import { Id } from '../types';

// The background poller's user-facing side: the notification ledger and settings, rules, approvals.

export const TriggerName = z.enum(['OnNewEmail', 'OnUpcomingEvents', 'OnNewItems', 'OnUpdatedItems']);
export type TriggerName = z.infer<typeof TriggerName>;

const HourMinute = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM');

export const NotificationSettings = z.object({
  enabled: z.boolean().default(true),
  /** Do-not-disturb hours in `timeZone`; may wrap midnight (22:00-07:00). */
  quietHours: z.object({ enabled: z.boolean().default(false), start: HourMinute.default('22:00'), end: HourMinute.default('07:00') }).default({
    enabled: false,
    start: '22:00',
    end: '07:00',
  }),
  /** IANA zone for quiet hours and all-day events; empty means the system's zone. */
  timeZone: z.string().max(100).default(''),
  mutedAccountIds: z.array(Id).max(1000).default([]),
  mutedFolderIds: z.array(Id).max(10_000).default([]),
  /** Folders besides the inboxes whose new mail is announced (server-side filters deliver there). */
  extraFolderIds: z.array(Id).max(10_000).default([]),
  /** Events without a reminder are announced this long before they start. */
  eventLookAheadMinutes: z.number().int().min(0).max(10_080).default(15),
  /** All-day events are announced at this local time on their day. */
  allDayAt: HourMinute.default('09:00'),
  /** More new messages than this in one poll become one summary notification. */
  groupThreshold: z.number().int().min(1).max(1000).default(3),
  /** Notifications paused until this epoch ms (tray: pause for an hour). */
  pausedUntil: z.number().nullable().default(null),
});
export type NotificationSettings = z.output<typeof NotificationSettings>;

export const LedgerDecision = z.enum(['notified', 'suppressed']);
export const SuppressionReason = z.enum([
  'already-read',
  'sent-by-me',
  'muted-folder',
  'muted-account',
  'quiet-hours',
  'paused',
  'disabled',
  'duplicate',
  'missed',
]);

export const LedgerEntry = z.object({
  id: Id,
  trigger: z.string(),
  accountId: z.string().nullable(),
  itemId: z.string(),
  decision: LedgerDecision,
  /** Why it was suppressed, or how it was shown ("grouped" into a summary). */
  reason: z.string().nullable(),
  title: z.string(),
  body: z.string(),
  createdAt: z.number(),
});
export type LedgerEntry = z.infer<typeof LedgerEntry>;

export const MailRuleFilters = z.object({
  /** The connector's OnNewEmail filters. */
  folderPath: z.string().max(1000).optional(),
  to: z.string().max(2000).optional(),
  from: z.string().max(2000).optional(),
  importance: z.enum(['Any', 'High', 'Normal', 'Low']).optional(),
  fetchOnlyWithAttachment: z.boolean().optional(),
  subjectFilter: z.string().max(1000).optional(),
  /** Calendar triggers: which calendar (the connector's table) and how far ahead. */
  calendarId: Id.optional(),
  lookAheadTimeInMinutes: z.number().int().min(0).max(10_080).optional(),
});
export type RuleFilters = z.infer<typeof MailRuleFilters>;

export const RuleAction = z.discriminatedUnion('type', [
  z.object({ type: z.literal('notify') }),
  z.object({ type: z.literal('markRead') }),
  z.object({ type: z.literal('flag') }),
  z.object({ type: z.literal('move'), folderId: Id }),
  z.object({ type: z.literal('forward'), to: z.string().min(3).max(2000), comment: z.string().max(100_000).default('') }),
  z.object({ type: z.literal('replyTemplate'), body: z.string().min(1).max(100_000) }),
  z.object({ type: z.literal('addSenderToContacts'), addressBookId: Id.optional() }),
  z.object({ type: z.literal('createEventFromInvitation'), calendarId: Id.optional() }),
  z.object({ type: z.literal('webhook'), url: z.string().url().max(2000) }),
]);
export type RuleAction = z.infer<typeof RuleAction>;

export const RuleInput = z.object({
  name: z.string().min(1).max(200),
  enabled: z.boolean().default(false),
  accountId: Id.nullable().default(null),
  trigger: TriggerName,
  filters: MailRuleFilters.default({}),
  actions: z.array(RuleAction).min(1).max(20),
});
export type RuleInput = z.input<typeof RuleInput>;

export const Rule = RuleInput.extend({ id: Id, createdAt: z.number(), updatedAt: z.number() });
export type Rule = z.output<typeof Rule>;

export const ActionResult = z.object({
  type: z.string(),
  status: z.enum(['pending', 'done', 'failed']),
  error: z.string().nullable().default(null),
  /** The queued task or outbox entry that carries the remote effect. */
  ref: z.string().nullable().default(null),
});
export type ActionResult = z.infer<typeof ActionResult>;

export const RuleRun = z.object({
  id: Id,
  ruleId: Id,
  itemId: z.string(),
  status: z.enum(['pending', 'done', 'failed']),
  results: z.array(ActionResult),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type RuleRun = z.infer<typeof RuleRun>;

export const RuleMatch = z.object({ itemId: z.string(), title: z.string(), detail: z.string(), time: z.number() });

export const ApprovalResponse = z.object({
  id: Id,
  responder: z.string(),
  selectedOption: z.string().nullable(),
  outcome: z.enum(['accepted', 'duplicate', 'no-match']),
  subject: z.string(),
  deliveryStatus: z.enum(['none', 'pending', 'delivered', 'failed']),
  createdAt: z.number(),
});

export const ApprovalInfo = z.object({
  id: Id,
  kind: z.enum(['approval', 'options']),
  accountId: z.string().nullable(),
  subject: z.string(),
  to: z.string(),
  options: z.array(z.string()),
  notificationUrl: z.string().nullable(),
  status: z.enum(['waiting', 'resolved']),
  selectedOption: z.string().nullable(),
  respondedBy: z.string().nullable(),
  respondedAt: z.number().nullable(),
  createdAt: z.number(),
  responses: z.array(ApprovalResponse),
});
export type ApprovalInfo = z.infer<typeof ApprovalInfo>;

const Ok = z.object({ ok: z.literal(true) });

export const automationCalls = {
  'notifications.ledger': call(
    z.object({ limit: z.number().int().min(1).max(1000).default(100), offset: z.number().int().min(0).default(0) }),
    z.array(LedgerEntry),
    'Every notification decision, newest first: notified or suppressed and why.',
  ),
  'notifications.getSettings': call(z.object({}), NotificationSettings, 'Notification settings.'),
  'notifications.setSettings': call(NotificationSettings.partial(), NotificationSettings, 'Change notification settings.'),
  'notifications.pause': call(
    z.object({ minutes: z.number().int().min(0).max(10_080) }),
    z.object({ pausedUntil: z.number().nullable() }),
    'Pause notifications (0 resumes).',
  ),
  'rules.list': call(z.object({}), z.array(Rule), 'All rules.'),
  'rules.create': call(RuleInput, Rule, 'Create a rule (disabled until the user enables it).'),
  'rules.update': call(z.object({ id: Id, patch: RuleInput.partial() }), Rule, 'Change a rule.'),
  'rules.delete': call(z.object({ id: Id }), Ok, 'Delete a rule and its history.'),
  'rules.test': call(
    z.object({ rule: RuleInput, limit: z.number().int().min(1).max(500).default(50) }),
    z.object({ matched: z.number().int(), items: z.array(RuleMatch) }),
    'What a rule would have matched in the cache, without running it.',
  ),
  'rules.runs': call(
    z.object({ ruleId: Id.optional(), limit: z.number().int().min(1).max(1000).default(100) }),
    z.array(RuleRun),
    'Run history of one or all rules, newest first.',
  ),
  'approvals.list': call(z.object({}), z.array(ApprovalInfo), 'Approval and options mails sent, with their answers.'),
  'approvals.send': call(
    z.object({
      accountId: Id.optional(),
      kind: z.enum(['approval', 'options']).default('approval'),
      to: z.string().min(3).max(10_000),
      subject: z.string().min(1).max(2000),
      body: z.string().max(1_000_000).default(''),
      /** Comma-separated, as the connector's Options field. */
      options: z.string().max(10_000).default('Approve, Reject'),
      notificationUrl: z.string().url().max(2000).nullable().default(null),
    }),
    z.object({ id: Id, outboxId: Id }),
    'Compose mode for SendApprovalMail / SendMailWithOptions: send the mail and wait for an answer.',
  ),
  'approvals.offered': call(
    z.object({ messageId: Id }),
    z.object({ subscriptionId: z.string(), replyTo: z.string(), options: z.array(z.string()) }).nullable(),
    'The choices a received options/approval mail offers (for buttons in the reading pane), or null.',
  ),
  'approvals.respond': call(
    z.object({ messageId: Id, option: z.string().min(1).max(500) }),
    z.object({ outboxId: Id }),
    'Answer an approval/options mail received in Pimlico by choosing one of its options.',
  ),
} as const;
