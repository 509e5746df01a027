import type { EmailAddress, MessageDetail } from '../../shared/types';
import { useCompose, type ComposeFields } from '../compose/store';
import { call } from '../lib/client';
import { usePrefs } from '../mail/prefs';
import { useApp } from './store';

/** `#compose?draft=ID` or `#compose?mailto=…`: the pop-out compose window renders only compose. */
export interface ComposeRoute {
  draftId: string | null;
  mailto: string | null;
}

export function composeRouteOf(hash: string): ComposeRoute | null {
  const m = /^#compose(?:[?&/](.*))?$/.exec(hash);
  if (!m) return null;
  const params = new URLSearchParams(m[1] ?? '');
  return { draftId: params.get('draft'), mailto: params.get('mailto') };
}

function addresses(list: string): EmailAddress[] {
  return list
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a.includes('@'))
    .map((address) => ({ name: '', address }));
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** RFC 6068 mailto: recipients in the path, and to/cc/bcc/subject/body in the query. */
export function fieldsFromMailto(
  mailto: string,
): Pick<ComposeFields, 'to' | 'cc' | 'bcc' | 'subject' | 'bodyText'> {
  const rest = mailto.replace(/^mailto:/i, '');
  const q = rest.indexOf('?');
  const path = q < 0 ? rest : rest.slice(0, q);
  const fields = {
    to: addresses(decode(path)),
    cc: [] as EmailAddress[],
    bcc: [] as EmailAddress[],
    subject: '',
    bodyText: '',
  };
  if (q < 0) return fields;
  for (const pair of rest.slice(q + 1).split('&')) {
    const eq = pair.indexOf('=');
    const key = (eq < 0 ? pair : pair.slice(0, eq)).toLowerCase();
    // Not URLSearchParams: in mailto a "+" is a literal plus (RFC 6068), not a space.
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
    if (key === 'to') fields.to.push(...addresses(value));
    else if (key === 'cc') fields.cc.push(...addresses(value));
    else if (key === 'bcc') fields.bcc.push(...addresses(value));
    else if (key === 'subject') fields.subject = value;
    else if (key === 'body') fields.bodyText = value;
  }
  return fields;
}

function defaultAccountId(): string {
  const accounts = useApp.getState().accounts;
  return (accounts.find((a) => a.isDefault) ?? accounts[0])?.id ?? '';
}

/** Opens compose for a mailto: link (the shell's compose command, or a pop-out window), with the signature. */
export async function composeMailto(mailto: string | null): Promise<void> {
  const compose = useCompose.getState();
  if (!mailto) return compose.start('new');
  const accountId = defaultAccountId();
  const fromLink = fieldsFromMailto(mailto);
  const signature = usePrefs.getState().signatures[accountId];
  compose.reopen({
    accountId,
    ...fromLink,
    bodyText: signature ? `${fromLink.bodyText}\n\n-- \n${signature}` : fromLink.bodyText,
    bodyHtml: null,
    inReplyToMessageId: null,
    attachments: [],
    sendAt: null,
  });
}

/** Reopens a saved draft by its message id, attachments included, so editing continues in place. */
export async function composeDraft(draftId: string): Promise<void> {
  const d: MessageDetail = await call('mail.get', { id: draftId });
  const attachments = await Promise.all(
    d.attachments
      .filter((a) => !a.inline)
      .map(async (a) => {
        const file = await call('mail.attachment', { messageId: d.id, attachmentId: a.id });
        return {
          filename: file.filename,
          contentType: file.contentType,
          contentBase64: file.contentBase64,
          size: a.size,
        };
      }),
  );
  useCompose.getState().reopen(
    {
      accountId: d.accountId,
      to: d.to,
      cc: d.cc,
      bcc: d.bcc,
      subject: d.subject,
      bodyText: d.bodyText,
      bodyHtml: d.bodyHtml,
      inReplyToMessageId: null,
      attachments,
      sendAt: null,
    },
    d.id,
  );
}
