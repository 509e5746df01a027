// Public surface of the MIME layer: parsing received mail, building outgoing mail, and the
// reply/forward/threading helpers on top. Plain Node only (no electron, no DOM).
export type {
  Address,
  Importance,
  OutgoingAttachment,
  OutgoingMessage,
  ParsedAttachment,
  ParsedMessage,
  ParsedMessageLike,
} from './types';
export { parseMessage, SELECTED_HEADERS } from './parse';
export { parseAddressList, formatAddressList, formatAddress } from './address';
export { buildMessage, generateMessageId, type BuiltMessage } from './build';
export {
  replyTo,
  forward,
  normalizeSubject,
  replySubject,
  forwardSubject,
  threadKeyCandidates,
  type ReplyOptions,
  type ForwardOptions,
  type ReplyFields,
  type ForwardFields,
} from './reply';
export { htmlToText, type HtmlToTextOptions } from './html-to-text';
export { parseMessageIds, normalizeMessageId } from './message-id';
