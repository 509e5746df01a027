/**
 * Attachment upload sessions (POST .../attachments/createUploadSession).
 *
 * As with Graph, the returned uploadUrl is a pre-authenticated URL outside /v1.0
 * (Graph's points at outlook.office.com with an `authtoken` query parameter). PUTs to it
 * must NOT carry an Authorization header; they carry `Content-Range: bytes a-b/total`
 * chunks of at most 4 MB, in order. Intermediate chunks answer 200 with
 * nextExpectedRanges; the last answers 201 Created with a Location header and no body.
 */
import { randomBytes } from 'node:crypto';
import { empty, GraphError, json, type GraphResponse } from './response';
import { newId, touch, type Mailbox, type Store } from './store';

/** Graph: each PUT to an upload URL carries less than 4 MB. */
export const MAX_CHUNK = 4 * 1024 * 1024;
/** Graph: upload sessions are for 3 MB - 150 MB attachments. */
export const MIN_SESSION_SIZE = 3 * 1024 * 1024;
export const MAX_SESSION_SIZE = 150 * 1024 * 1024;
const SESSION_LIFETIME_MS = 15 * 60 * 1000;

interface Session {
  id: string;
  authtoken: string;
  userId: string;
  messageKey: string;
  name: string;
  size: number;
  contentType: string;
  isInline: boolean;
  contentId: string | null;
  chunks: Buffer[];
  next: number;
  expires: number;
}

export interface UploadRequest {
  method: string;
  sessionId: string;
  search: URLSearchParams;
  headers: Readonly<Record<string, string>>;
  body: Buffer;
}

export class UploadSessions {
  /** Origin (http://127.0.0.1:PORT), set once the server listens. */
  origin = '';
  /** e.g. http://127.0.0.1:PORT/v1.0, for Location headers. */
  baseUrl = '';
  private readonly store: Store;
  private readonly sessions = new Map<string, Session>();

  constructor(store: Store) {
    this.store = store;
  }

  create(
    mb: Mailbox,
    messageKey: string,
    item: {
      name: string;
      size: number;
      contentType?: string | undefined;
      isInline?: boolean | undefined;
      contentId?: string | undefined;
    },
  ): { uploadUrl: string; expirationDateTime: string; nextExpectedRanges: string[] } {
    const s: Session = {
      id: randomBytes(16).toString('base64url'),
      authtoken: randomBytes(24).toString('base64url'),
      userId: mb.user.id,
      messageKey,
      name: item.name,
      size: item.size,
      contentType: item.contentType ?? 'application/octet-stream',
      isInline: item.isInline ?? false,
      contentId: item.contentId ?? null,
      chunks: [],
      next: 0,
      expires: Date.now() + SESSION_LIFETIME_MS,
    };
    this.sessions.set(s.id, s);
    return {
      uploadUrl: `${this.origin}/upload/AttachmentSessions/${s.id}?authtoken=${s.authtoken}`,
      expirationDateTime: new Date(s.expires).toISOString(),
      nextExpectedRanges: ['0-'],
    };
  }

  handle(req: UploadRequest): GraphResponse {
    if (req.headers['authorization'] !== undefined) {
      // Graph documents that sending the Authorization header to the upload URL fails with 401.
      throw new GraphError(
        401,
        'InvalidAuthenticationToken',
        'The upload URL is pre-authenticated; do not send an Authorization header with upload requests.',
      );
    }
    const s = this.sessions.get(req.sessionId);
    if (!s || s.expires < Date.now()) {
      throw new GraphError(404, 'ErrorItemNotFound', 'The upload session was not found or has expired.');
    }
    if (req.search.get('authtoken') !== s.authtoken) {
      throw new GraphError(401, 'InvalidAuthenticationToken', 'The authtoken of the upload URL is invalid.');
    }
    if (req.method === 'DELETE') {
      this.sessions.delete(s.id);
      return empty(204);
    }
    if (req.method !== 'PUT') {
      throw new GraphError(
        405,
        'Request_BadRequest',
        'Specified HTTP method is not allowed for the request target.',
      );
    }

    const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(req.headers['content-range'] ?? '');
    if (!range)
      throw new GraphError(400, 'InvalidContentRange', "The 'Content-Range' header is missing or malformed.");
    const start = Number(range[1]);
    const end = Number(range[2]);
    const total = Number(range[3]);
    if (total !== s.size) {
      throw new GraphError(
        400,
        'InvalidContentRange',
        `The total size ${total} does not match the session size ${s.size}.`,
      );
    }
    if (end < start || end >= total || end - start + 1 !== req.body.length) {
      throw new GraphError(
        400,
        'InvalidContentRange',
        'The Content-Range does not match the request body length.',
      );
    }
    if (req.body.length > MAX_CHUNK) {
      throw new GraphError(413, 'RequestEntityTooLarge', 'Each upload request must be smaller than 4 MB.');
    }
    if (start !== s.next) {
      throw new GraphError(416, 'InvalidRange', `Expected the range starting at byte ${s.next}.`);
    }
    s.chunks.push(Buffer.from(req.body));
    s.next = end + 1;
    if (s.next < s.size) {
      return json(200, {
        '@odata.context': `${this.origin}/api/v2.0/$metadata#Microsoft.OutlookServices.UploadSession`,
        expirationDateTime: new Date(s.expires).toISOString(),
        nextExpectedRanges: [String(s.next)],
      });
    }

    this.sessions.delete(s.id);
    const mb = this.store.mailboxes.get(s.userId);
    const msg = mb?.findMessage(s.messageKey);
    if (!mb || !msg)
      throw new GraphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
    const attId = newId('attachment');
    msg.attachments.push({
      id: attId,
      name: s.name,
      contentType: s.contentType,
      isInline: s.isInline,
      contentId: s.contentId,
      lastModifiedMs: Date.now(),
      bytes: Buffer.concat(s.chunks),
    });
    touch(msg);
    return empty(201, {
      Location: `${this.baseUrl}/users('${mb.user.id}')/messages('${msg.restId}')/attachments('${attId}')`,
    });
  }
}
