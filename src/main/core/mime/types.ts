export interface Address {
  name: string;
  address: string;
}

export interface ParsedAttachment {
  /** Never empty: a name is made up from the content type when the part has none; path separators removed. */
  filename: string;
  /** Lower-case MIME type. */
  contentType: string;
  size: number;
  /** Content-ID without angle brackets, as referenced by `cid:` URLs in the HTML. */
  contentId: string | null;
  /** Shown in the body (Content-Disposition: inline, or referenced from multipart/related). */
  inline: boolean;
  content: Uint8Array;
  /** Hex SHA-256 of `content`. */
  sha256: string;
}

export type Importance = 'low' | 'normal' | 'high';

export interface ParsedMessage {
  /** With angle brackets, e.g. `<abc@example.com>`; null when the header is missing or empty. */
  messageId: string | null;
  inReplyTo: string | null;
  /** Oldest first, each with angle brackets. */
  references: string[];
  subject: string;
  /** Epoch ms; null when missing or unparseable. */
  date: number | null;
  from: Address | null;
  sender: Address | null;
  replyTo: Address[];
  to: Address[];
  cc: Address[];
  bcc: Address[];
  /** Plain text body (converted from the HTML when the message has no text part); `\n` line ends. */
  text: string;
  html: string | null;
  /** ~200 chars of visible text, whitespace collapsed, quotes and signatures skipped when easy. */
  snippet: string;
  attachments: ParsedAttachment[];
  importance: Importance;
  /** Selected headers (see SELECTED_HEADERS): lower-case keys, first occurrence, unfolded; raw except thread-topic and list-id, whose encoded words are decoded. */
  headers: Record<string, string>;
  /** text/calendar bodies (iMIP invitations), decoded to text, duplicates removed. */
  calendarParts: string[];
  /** What was malformed and how it was handled; empty for clean mail. */
  problems: string[];
}

export type ParsedMessageLike = Pick<
  ParsedMessage,
  | 'messageId'
  | 'references'
  | 'inReplyTo'
  | 'subject'
  | 'from'
  | 'replyTo'
  | 'to'
  | 'cc'
  | 'date'
  | 'text'
  | 'html'
>;

export interface OutgoingAttachment {
  filename: string;
  contentType?: string;
  content: Uint8Array;
  contentId?: string;
  inline?: boolean;
}

export interface OutgoingMessage {
  from: Address;
  to: Address[];
  cc?: Address[];
  bcc?: Address[];
  replyTo?: Address[];
  subject: string;
  text?: string;
  html?: string;
  attachments?: OutgoingAttachment[];
  inReplyTo?: string;
  references?: string[];
  /** Generated as `<uuid@domain-of-from>` when absent. */
  messageId?: string;
  date?: Date;
  importance?: Importance;
  headers?: Record<string, string>;
  /** iMIP: sent as a text/calendar; method=… alternative (plus an invite.ics attachment, see build.ts). */
  calendar?: { method: string; content: string };
}
