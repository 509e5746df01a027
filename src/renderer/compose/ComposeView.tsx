import { useEffect, useRef, useState, type DragEvent } from 'react';
import { useApp } from '../app/store';
import { RecipientField } from './RecipientField';
import { type ComposeAttachment, textToHtml, useCompose } from './store';

const AUTOSAVE_MS = 3000;

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function readFile(file: File): Promise<ComposeAttachment> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onerror = () => reject(reader.error ?? new Error(`Could not read ${file.name}`));
    reader.onload = () => {
      const url = String(reader.result);
      resolve({ filename: file.name || 'attachment', contentType: file.type || 'application/octet-stream', contentBase64: url.slice(url.indexOf(',') + 1), size: file.size });
    };
    reader.readAsDataURL(file);
  });
}

function toLocalInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

/** The compose window: a dialog over the current view, so the list stays where it was. */
export function ComposeView() {
  const c = useCompose();
  const accounts = useApp((s) => s.accounts);
  const reportError = useApp((s) => s.reportError);
  const richRef = useRef<HTMLDivElement>(null);
  const [dragging, setDragging] = useState(false);
  const [laterOpen, setLaterOpen] = useState(false);

  // Drafts are saved every few seconds while something changed.
  useEffect(() => {
    if (!c.open) return;
    const t = setInterval(() => {
      if (useCompose.getState().dirty) void useCompose.getState().saveDraft();
    }, AUTOSAVE_MS);
    return () => clearInterval(t);
  }, [c.open]);

  // Rich mode edits a contentEditable; it is filled once when rich mode starts, then owned by the user.
  useEffect(() => {
    if (c.rich && richRef.current && richRef.current.dataset.filled !== '1') {
      richRef.current.innerHTML = c.bodyHtml ?? textToHtml(c.bodyText);
      richRef.current.dataset.filled = '1';
    }
  }, [c.rich, c.bodyHtml, c.bodyText]);

  const addFiles = async (files: FileList | File[]) => {
    try {
      const read = await Promise.all([...files].map(readFile));
      c.update({ attachments: [...useCompose.getState().attachments, ...read] });
    } catch (err) {
      reportError(err);
    }
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    if (e.dataTransfer.files.length) void addFiles(e.dataTransfer.files);
  };

  if (!c.open) return null;
  return (
    <div className="compose-backdrop">
      <form
        className={`compose${dragging ? ' dragging' : ''}`}
        role="dialog"
        aria-modal="true"
        aria-label="Compose"
        onSubmit={(e) => {
          e.preventDefault();
          void c.send();
        }}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <header className="compose-head">
          <h2>{c.mode === 'reply' ? 'Reply' : c.mode === 'replyAll' ? 'Reply all' : c.mode === 'forward' ? 'Forward' : 'New message'}</h2>
          <span className="muted" role="status" aria-live="polite">
            {c.savedAt ? `Draft saved ${new Date(c.savedAt).toLocaleTimeString()}` : ''}
          </span>
          <button type="button" aria-label="Close compose" onClick={() => void c.close()}>
            ×
          </button>
        </header>
        <label className="field-row">
          <span className="field-label">From</span>
          <select aria-label="From" value={c.accountId} onChange={(e) => c.update({ accountId: e.target.value })}>
            {accounts.map((a) => (
              <option key={a.id} value={a.id}>
                {a.displayName} {a.email ? `<${a.email}>` : ''}
              </option>
            ))}
          </select>
        </label>
        <RecipientField label="To" value={c.to} onChange={(to) => c.update({ to })} autoFocus={c.mode === 'new' || c.mode === 'forward'} />
        {c.showCcBcc ? (
          <>
            <RecipientField label="Cc" value={c.cc} onChange={(cc) => c.update({ cc })} />
            <RecipientField label="Bcc" value={c.bcc} onChange={(bcc) => c.update({ bcc })} />
          </>
        ) : (
          <button type="button" className="link-button" onClick={() => c.update({ showCcBcc: true })}>
            Cc/Bcc
          </button>
        )}
        <label className="field-row">
          <span className="field-label">Subject</span>
          <input aria-label="Subject" value={c.subject} onChange={(e) => c.update({ subject: e.target.value })} />
        </label>
        <div className="compose-format">
          <label>
            <input
              type="checkbox"
              checked={c.rich}
              onChange={(e) => {
                if (richRef.current) richRef.current.dataset.filled = '';
                c.update({ rich: e.target.checked, bodyHtml: e.target.checked ? textToHtml(c.bodyText) : null });
              }}
            />{' '}
            Rich text
          </label>
          {c.rich && (
            <span className="format-buttons" role="toolbar" aria-label="Formatting">
              {(['bold', 'italic', 'underline', 'insertUnorderedList'] as const).map((cmd) => (
                <button key={cmd} type="button" aria-label={cmd} onMouseDown={(e) => e.preventDefault()} onClick={() => document.execCommand(cmd)}>
                  {cmd === 'bold' ? 'B' : cmd === 'italic' ? 'I' : cmd === 'underline' ? 'U' : '•'}
                </button>
              ))}
            </span>
          )}
        </div>
        {c.rich ? (
          <div
            ref={richRef}
            className="compose-body rich"
            contentEditable
            role="textbox"
            aria-multiline="true"
            aria-label="Message body"
            onInput={(e) => c.update({ bodyHtml: e.currentTarget.innerHTML, bodyText: e.currentTarget.innerText })}
          />
        ) : (
          <textarea
            className="compose-body"
            aria-label="Message body"
            value={c.bodyText}
            autoFocus={c.mode === 'reply' || c.mode === 'replyAll'}
            onFocus={(e) => {
              if (c.mode === 'reply' || c.mode === 'replyAll') e.currentTarget.setSelectionRange(0, 0);
            }}
            onChange={(e) => c.update({ bodyText: e.target.value })}
          />
        )}
        {c.attachments.length > 0 && (
          <ul className="attachments" aria-label="Attachments to send">
            {c.attachments.map((a, i) => (
              <li key={`${a.filename}-${i}`}>
                📎 {a.filename} <span className="muted">({a.contentType}, {formatSize(a.size)})</span>
                <button type="button" aria-label={`Remove ${a.filename}`} onClick={() => c.update({ attachments: c.attachments.filter((_, j) => j !== i) })}>
                  ×
                </button>
              </li>
            ))}
          </ul>
        )}
        <footer className="compose-actions">
          <button type="submit" className="primary" disabled={c.sending} title="Send (Ctrl+Enter)">
            {c.sendAt ? `Send at ${new Date(c.sendAt).toLocaleString()}` : 'Send'}
          </button>
          <button type="button" onClick={() => setLaterOpen(!laterOpen)} aria-expanded={laterOpen}>
            Send later…
          </button>
          {laterOpen && (
            <label className="send-later">
              <span className="field-label">Send at</span>
              <input
                type="datetime-local"
                aria-label="Send at"
                value={c.sendAt ? toLocalInput(c.sendAt) : ''}
                onChange={(e) => {
                  const t = e.target.value ? new Date(e.target.value).getTime() : NaN;
                  c.update({ sendAt: Number.isFinite(t) ? t : null });
                }}
              />
            </label>
          )}
          <label className="file-button">
            Attach…
            <input
              type="file"
              multiple
              aria-label="Attach files"
              onChange={(e) => {
                if (e.target.files?.length) void addFiles(e.target.files);
                e.target.value = '';
              }}
            />
          </label>
          <span className="spacer" />
          <span className="muted">Drop files here to attach</span>
        </footer>
      </form>
    </div>
  );
}

/** The undo-send bar: shown while a sent message is still held and can be taken back. */
export function PendingSendBar() {
  const { pending, cancelPending } = useCompose();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!pending) return;
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, [pending]);
  if (!pending) return null;
  const seconds = Math.max(0, Math.ceil((pending.sendAt - now) / 1000));
  return (
    <div className="pending-send" role="status">
      <span>{pending.scheduled ? `Scheduled for ${new Date(pending.sendAt).toLocaleString()}` : `Sending in ${seconds} s`}</span>
      <button type="button" onClick={() => void cancelPending()}>
        {pending.scheduled ? 'Cancel send' : 'Undo send (z)'}
      </button>
      {pending.scheduled && (
        <button type="button" aria-label="Dismiss" onClick={() => useCompose.setState({ pending: null })}>
          ×
        </button>
      )}
    </div>
  );
}
