import { useShallow } from 'zustand/react/shallow';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { AttachmentMeta, MessageDetail } from '../../shared/types';
import { call } from '../lib/client';
import { useApp } from '../app/store';
import { formatAddress } from '../compose/quote';
import { useCompose } from '../compose/store';
import { frameDocument, linkifyText, sanitizeMailHtml } from './sanitize';
import { safeFileName } from './filename';
import { isDark, usePrefs } from './prefs';
import { useMail } from './store';
import { OptionButtons } from '../automation/OptionButtons';
import { InvitationCard } from '../calendar/InvitationCard';
import { AddSenderButton } from '../contacts/AddSenderButton';

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

async function saveAttachment(message: MessageDetail, a: AttachmentMeta): Promise<void> {
  try {
    const file = await call('mail.attachment', { messageId: message.id, attachmentId: a.id });
    const bytes = Uint8Array.from(atob(file.contentBase64), (ch) => ch.charCodeAt(0));
    // Always a download, never displayed: an HTML or SVG attachment must not run in our origin.
    const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = safeFileName(file.filename);
    link.rel = 'noopener';
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch (err) {
    useApp.getState().reportError(err);
  }
}

/** One message's body in a sandboxed frame: no scripts, forms, navigation or remote loads unless allowed. */
function MessageBody({ message }: { message: MessageDetail }) {
  const { theme, remoteSenders, remoteMessages, setPref } = usePrefs();
  const sender = message.from?.address.toLowerCase() ?? '';
  const allowRemote = remoteMessages.includes(message.id) || (sender !== '' && remoteSenders.includes(sender));
  const dark = isDark(theme);
  const rendered = useMemo(() => {
    if (message.bodyHtml) {
      const { html, blockedRemote } = sanitizeMailHtml(message.bodyHtml, allowRemote);
      return { doc: frameDocument(html, allowRemote, dark), blockedRemote };
    }
    return { doc: frameDocument(linkifyText(message.bodyText), false, dark), blockedRemote: 0 };
  }, [message, allowRemote, dark]);
  const attachments = message.attachments.filter((a) => !a.inline);
  return (
    <>
      {rendered.blockedRemote > 0 && !allowRemote && (
        <div className="remote-bar" role="status" aria-label="Remote content blocked">
          <span>Remote images and content were blocked to protect your privacy.</span>
          <button type="button" onClick={() => void setPref('remoteMessages', [...remoteMessages.slice(-499), message.id])}>
            Load for this message
          </button>
          {sender && (
            <button type="button" onClick={() => void setPref('remoteSenders', [...remoteSenders, sender])}>
              Always load from {sender}
            </button>
          )}
        </div>
      )}
      {attachments.length > 0 && (
        <ul className="attachments" aria-label="Attachments">
          {attachments.map((a) => (
            <li key={a.id}>
              <button type="button" className="attachment" onClick={() => void saveAttachment(message, a)} aria-label={`Save ${a.filename}, ${a.contentType}, ${formatSize(a.size)}`}>
                📎 {a.filename}
              </button>{' '}
              <span className="muted">
                {a.contentType}, {formatSize(a.size)}
              </span>
            </li>
          ))}
        </ul>
      )}
      <OptionButtons messageId={message.id} />
      <InvitationCard messageId={message.id} />
      {message.from && <AddSenderButton messageId={message.id} />}
      {/* No allow-scripts, allow-forms, allow-same-origin or allow-top-navigation: the frame can only show. Links open outside. */}
      <iframe
        className="message-body"
        title={`Message body: ${message.subject || '(no subject)'}`}
        sandbox="allow-popups allow-popups-to-escape-sandbox"
        referrerPolicy="no-referrer"
        tabIndex={-1}
        srcDoc={rendered.doc}
      />
    </>
  );
}

function Header({ message, collapsed, onToggle }: { message: MessageDetail; collapsed?: boolean; onToggle?: () => void }) {
  return (
    <header className={`message-header${collapsed ? ' collapsed' : ''}`} onClick={onToggle}>
      <div className="message-meta">
        <span className="from">{formatAddress(message.from) || '(unknown sender)'}</span>
        <span className="markers">
          {message.isFlagged && <span aria-label="Flagged" title="Flagged">⚑</span>}
        </span>
        <time dateTime={new Date(message.date).toISOString()}>{new Date(message.date).toLocaleString()}</time>
      </div>
      {collapsed ? (
        <div className="snippet">{message.snippet}</div>
      ) : (
        <>
          {message.to.length > 0 && <div className="message-to">To: {message.to.map(formatAddress).join(', ')}</div>}
          {message.cc.length > 0 && <div className="message-to">Cc: {message.cc.map(formatAddress).join(', ')}</div>}
        </>
      )}
    </header>
  );
}

export function ReadingPane() {
  const { detail, conversation, focus } = useMail(useShallow((s) => ({ detail: s.detail, conversation: s.conversation, focus: s.focus })));
  const [expanded, setExpanded] = useState<string | null>(null);
  const ref = useRef<HTMLElement>(null);
  const messages = conversation.length > 1 ? conversation : detail ? [detail] : [];
  const last = messages[messages.length - 1];
  const shown = messages.find((m) => m.id === expanded) ?? last;
  useEffect(() => setExpanded(null), [detail?.id]);
  useEffect(() => {
    if (focus === 'pane') ref.current?.focus();
  }, [focus, detail?.id]);

  if (!detail || !shown) {
    return (
      <section className="reading-pane empty" aria-label="Reading pane">
        <p>No message selected</p>
      </section>
    );
  }
  return (
    <section ref={ref} className="reading-pane" aria-label="Reading pane" role="region" tabIndex={-1} data-message-id={detail.id}>
      <h2 className="message-subject">
        {detail.subject || '(no subject)'}
        {messages.length > 1 && <span className="count"> · {messages.length} messages</span>}
      </h2>
      {detail.isDraft && (
        <div className="draft-bar">
          <button
            type="button"
            className="primary"
            onClick={() =>
              useCompose.getState().reopen(
                {
                  accountId: detail.accountId,
                  to: detail.to,
                  cc: detail.cc,
                  bcc: detail.bcc,
                  subject: detail.subject,
                  bodyText: detail.bodyText,
                  bodyHtml: detail.bodyHtml,
                  inReplyToMessageId: detail.headers['x-pimlico-in-reply-to'] ?? null,
                  attachments: [],
                  sendAt: null,
                },
                detail.id,
              )
            }
          >
            Edit draft
          </button>
        </div>
      )}
      {messages.length > 1 ? (
        <div className="conversation" role="list" aria-label="Conversation">
          {messages.map((m) =>
            m.id === shown.id ? (
              <article key={m.id} className="conversation-message open" role="listitem" aria-label={`Message from ${formatAddress(m.from)}`}>
                <Header message={m} />
                <MessageBody message={m} />
              </article>
            ) : (
              <article key={m.id} className="conversation-message" role="listitem" aria-label={`Message from ${formatAddress(m.from)}, folded`}>
                <Header message={m} collapsed onToggle={() => setExpanded(m.id)} />
              </article>
            ),
          )}
        </div>
      ) : (
        <article className="conversation-message open" aria-label={`Message from ${formatAddress(detail.from)}`}>
          <Header message={detail} />
          <MessageBody message={detail} />
        </article>
      )}
    </section>
  );
}
