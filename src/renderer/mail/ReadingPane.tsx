import { useMemo, useState } from 'react';
import type { MessageDetail } from '../../shared/types';
import { frameDocument, linkifyText, sanitizeMailHtml } from './sanitize';

function formatAddress(a: { name: string; address: string } | null): string {
  if (!a) return '';
  return a.name ? `${a.name} <${a.address}>` : a.address;
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function ReadingPane({ message }: { message: MessageDetail | null }) {
  const [allowRemoteFor, setAllowRemoteFor] = useState<string | null>(null);
  const dark = typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches;
  const allowRemote = message !== null && allowRemoteFor === message.id;
  const rendered = useMemo(() => {
    if (!message) return null;
    if (message.bodyHtml) {
      const { html, blockedRemote } = sanitizeMailHtml(message.bodyHtml, allowRemote);
      return { doc: frameDocument(html, allowRemote, dark), blockedRemote };
    }
    return { doc: frameDocument(linkifyText(message.bodyText), false, dark), blockedRemote: 0 };
  }, [message, allowRemote, dark]);

  if (!message || !rendered) {
    return (
      <section className="reading-pane empty" aria-label="Reading pane">
        <p>No message selected</p>
      </section>
    );
  }
  return (
    <section className="reading-pane" aria-label="Reading pane" role="region">
      <header className="message-header">
        <h2 className="message-subject">{message.subject || '(no subject)'}</h2>
        <div className="message-meta">
          <span className="from">{formatAddress(message.from)}</span>
          <time dateTime={new Date(message.date).toISOString()}>{new Date(message.date).toLocaleString()}</time>
        </div>
        {message.to.length > 0 && <div className="message-to">To: {message.to.map(formatAddress).join(', ')}</div>}
        {message.cc.length > 0 && <div className="message-to">Cc: {message.cc.map(formatAddress).join(', ')}</div>}
      </header>
      {rendered.blockedRemote > 0 && (
        <div className="remote-bar" role="status">
          Remote content was blocked to protect your privacy.
          <button type="button" onClick={() => setAllowRemoteFor(message.id)}>
            Load remote content
          </button>
        </div>
      )}
      {message.attachments.filter((a) => !a.inline).length > 0 && (
        <ul className="attachments" aria-label="Attachments">
          {message.attachments
            .filter((a) => !a.inline)
            .map((a) => (
              <li key={a.id}>
                📎 {a.filename} <span className="muted">({a.contentType}, {formatSize(a.size)})</span>
              </li>
            ))}
        </ul>
      )}
      {/* No allow-scripts, no allow-forms, no allow-top-navigation: the frame can only show. */}
      <iframe className="message-body" title="Message body" sandbox="allow-popups allow-popups-to-escape-sandbox" srcDoc={rendered.doc} />
    </section>
  );
}
