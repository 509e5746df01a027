import { create } from 'zustand';
import type { EmailAddress, MessageDetail } from '../../shared/types';
import { call } from '../lib/client';
import { useApp } from '../app/store';
import { usePrefs } from '../mail/prefs';
import { type ComposeMode, forwardedBody, prefixedSubject, quotedReply, replyRecipients, textToHtml } from './quote';

export interface ComposeAttachment {
  filename: string;
  contentType: string;
  contentBase64: string;
  size: number;
}

export interface ComposeFields {
  accountId: string;
  to: EmailAddress[];
  cc: EmailAddress[];
  bcc: EmailAddress[];
  subject: string;
  bodyText: string;
  /** Set when writing rich text; bodyText then holds its plain-text rendering. */
  bodyHtml: string | null;
  inReplyToMessageId: string | null;
  attachments: ComposeAttachment[];
  /** Send later: epoch ms, or null to send now (after the undo delay). */
  sendAt: number | null;
}

interface PendingSend {
  outboxId: string;
  sendAt: number;
  fields: ComposeFields;
  scheduled: boolean;
}

interface ComposeState extends ComposeFields {
  open: boolean;
  mode: ComposeMode;
  rich: boolean;
  showCcBcc: boolean;
  draftId: string | null;
  dirty: boolean;
  savedAt: number | null;
  sending: boolean;
  pending: PendingSend | null;
  start(mode: ComposeMode, source?: MessageDetail | null): Promise<void>;
  reopen(fields: ComposeFields, draftId?: string | null): void;
  update(patch: Partial<ComposeFields & { rich: boolean; showCcBcc: boolean }>): void;
  saveDraft(): Promise<void>;
  send(): Promise<void>;
  cancelPending(): Promise<boolean>;
  close(): Promise<void>;
}

const EMPTY: ComposeFields = {
  accountId: '',
  to: [],
  cc: [],
  bcc: [],
  subject: '',
  bodyText: '',
  bodyHtml: null,
  inReplyToMessageId: null,
  attachments: [],
  sendAt: null,
};

function fieldsOf(s: ComposeFields): ComposeFields {
  const { accountId, to, cc, bcc, subject, bodyText, bodyHtml, inReplyToMessageId, attachments, sendAt } = s;
  return { accountId, to, cc, bcc, subject, bodyText, bodyHtml, inReplyToMessageId, attachments, sendAt };
}

function draftOf(s: ComposeFields, id: string | null) {
  return {
    ...(id ? { id } : {}),
    accountId: s.accountId,
    to: s.to,
    cc: s.cc,
    bcc: s.bcc,
    subject: s.subject,
    bodyText: s.bodyText,
    bodyHtml: s.bodyHtml,
    inReplyToMessageId: s.inReplyToMessageId,
    attachments: s.attachments.map(({ filename, contentType, contentBase64 }) => ({ filename, contentType, contentBase64 })),
    sendAt: s.sendAt,
  };
}

function defaultAccountId(): string {
  const accounts = useApp.getState().accounts;
  return (accounts.find((a) => a.isDefault) ?? accounts[0])?.id ?? '';
}

let pendingTimer: ReturnType<typeof setTimeout> | null = null;
/** The draft save in flight: saves run one at a time, so a second one knows the draft's id. */
let savingDraft: Promise<void> | null = null;

export const useCompose = create<ComposeState>((set, get) => ({
  ...EMPTY,
  open: false,
  mode: 'new',
  rich: false,
  showCcBcc: false,
  draftId: null,
  dirty: false,
  savedAt: null,
  sending: false,
  pending: null,

  start: async (mode, source) => {
    if (get().open && get().dirty) await get().saveDraft();
    if (mode !== 'new' && !source) {
      useApp.getState().showToast('Open a message first');
      return;
    }
    const accountId = source?.accountId ?? defaultAccountId();
    const account = useApp.getState().accounts.find((a) => a.id === accountId);
    const signature = usePrefs.getState().signatures[accountId];
    const sig = signature ? `\n\n-- \n${signature}` : '';
    let fields: ComposeFields = { ...EMPTY, accountId };
    if (source && (mode === 'reply' || mode === 'replyAll')) {
      const { to, cc } = replyRecipients(source, mode, account?.email ?? '');
      fields = { ...fields, to, cc, subject: prefixedSubject('Re', source.subject), bodyText: `${sig}${quotedReply(source)}`, inReplyToMessageId: source.id };
    } else if (source && mode === 'forward') {
      fields = { ...fields, subject: prefixedSubject('Fwd', source.subject), bodyText: `${sig}${forwardedBody(source)}` };
    } else {
      fields = { ...fields, bodyText: sig };
    }
    set({ ...fields, open: true, mode, rich: false, showCcBcc: fields.cc.length > 0, draftId: null, dirty: false, savedAt: null });
    if (source && mode === 'forward') {
      // A forward carries the original attachments; their bytes come from the cache or the server.
      try {
        const files = await Promise.all(
          source.attachments
            .filter((a) => !a.inline)
            .map(async (a) => {
              const file = await call('mail.attachment', { messageId: source.id, attachmentId: a.id });
              return { filename: file.filename, contentType: file.contentType, contentBase64: file.contentBase64, size: a.size };
            }),
        );
        if (files.length) set({ attachments: [...get().attachments, ...files], dirty: true });
      } catch (err) {
        useApp.getState().reportError(err);
      }
    }
  },

  reopen: (fields, draftId = null) => set({ ...fields, open: true, mode: 'new', rich: fields.bodyHtml !== null, showCcBcc: fields.cc.length + fields.bcc.length > 0, draftId, dirty: true, savedAt: null }),

  update: (patch) => set({ ...patch, dirty: true }),

  saveDraft: async () => {
    // A save while another runs (Escape right after undo send reopened the draft and began saving
    // it) waits for it, then saves what changed since under the same draft id: never a second draft.
    const waited = savingDraft !== null;
    while (savingDraft) await savingDraft;
    const s = get();
    if (!s.open || !s.accountId || (waited && !s.dirty)) return;
    const snapshot = fieldsOf(s);
    const save = (async () => {
      try {
        const { id } = await call('mail.saveDraft', draftOf(snapshot, s.draftId));
        // Typing may have continued during the save; only what was saved is clean.
        const unchanged = JSON.stringify(fieldsOf(get())) === JSON.stringify(snapshot);
        set({ draftId: id, savedAt: Date.now(), dirty: unchanged ? false : get().dirty });
      } catch (err) {
        useApp.getState().reportError(err);
      }
    })();
    savingDraft = save;
    try {
      await save;
    } finally {
      if (savingDraft === save) savingDraft = null;
    }
  },

  send: async () => {
    const s = get();
    if (s.sending) return;
    if (s.to.length + s.cc.length + s.bcc.length === 0) {
      useApp.getState().showToast('Add at least one recipient', { error: true });
      return;
    }
    set({ sending: true });
    const fields = fieldsOf(s);
    try {
      const undoSeconds = usePrefs.getState().undoSendSeconds;
      const res = await call('compose.send', { draft: draftOf(fields, s.draftId), undoSeconds });
      const scheduled = fields.sendAt !== null && fields.sendAt > Date.now() + undoSeconds * 1000;
      set({ ...EMPTY, open: false, draftId: null, dirty: false, sending: false, pending: { outboxId: res.outboxId, sendAt: res.sendAt, fields, scheduled } });
      if (pendingTimer) clearTimeout(pendingTimer);
      if (!scheduled) pendingTimer = setTimeout(() => set({ pending: null }), Math.max(0, res.sendAt - Date.now()));
    } catch (err) {
      set({ sending: false });
      useApp.getState().reportError(err);
    }
  },

  cancelPending: async () => {
    const p = get().pending;
    if (!p) return false;
    if (pendingTimer) clearTimeout(pendingTimer);
    set({ pending: null });
    try {
      await call('outbox.cancel', { id: p.outboxId });
    } catch (err) {
      useApp.getState().reportError(err);
      return true;
    }
    // The message comes back as a draft, open for editing.
    get().reopen(p.fields);
    await get().saveDraft();
    useApp.getState().showToast(p.scheduled ? 'Scheduled send cancelled' : 'Sending undone');
    return true;
  },

  close: async () => {
    const s = get();
    const hasContent = s.to.length + s.cc.length + s.bcc.length > 0 || s.subject.trim() || s.bodyText.trim() || s.attachments.length;
    if (s.dirty && hasContent) await get().saveDraft();
    set({ ...EMPTY, open: false, draftId: null, dirty: false });
  },
}));

export { textToHtml };
