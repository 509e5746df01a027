import { DAVNamespace, createAccount, davRequest, fetchAddressBooks, fetchCalendars, getDAVAttribute, propfind, syncCollection, type DAVAccount, type DAVResponse } from 'tsdav';
import { PimlicoError } from '../../util/errors';
import { RetryableError } from '../types';
import { basicAuth, canonicalHref, createDavFetch } from './http';

export type CollectionKind = 'calendar' | 'addressbook';

export interface DavEndpointSettings {
  url: string;
  user: string;
  trustedCertFingerprint?: string;
}

export interface RemoteCollection {
  /** Canonical absolute URL; the collection's remoteId. */
  url: string;
  name: string;
  color: string | null;
  ctag: string | null;
  syncToken: string | null;
  supportsSyncCollection: boolean;
}

export interface RemoteResource {
  href: string;
  etag: string;
  data: string;
}

export type SyncCollectionResult =
  | {
      kind: 'ok';
      syncToken: string | null;
      changed: { href: string; etag: string | null }[];
      removed: string[];
      /** RFC 6578 3.6: the server sent part of the changes (507 on the collection); ask again with the new token. */
      truncated: boolean;
    }
  /** The server no longer accepts our token (RFC 6578 valid-sync-token): start over. */
  | { kind: 'token-rejected' };

export type WriteResult =
  | { kind: 'ok'; etag: string | null }
  | { kind: 'precondition-failed' }
  | { kind: 'not-found' }
  /** 403: a read-only calendar or address book, or not ours to change. */
  | { kind: 'forbidden' };

const MULTIGET_BATCH = 100;

function str(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

/** tsdav parses XML text nodes: an element with attributes arrives as { _text, _attributes }. */
function textOf(v: unknown): string | null {
  if (v && typeof v === 'object' && '_text' in v) return str((v as { _text: unknown })._text);
  return str(v);
}

function httpFailure(what: string, status: number, statusText: string): Error {
  if (status === 401) return new PimlicoError('Unauthorized', `${what}: the DAV server refused the user name or password`);
  if (status === 403) return new PimlicoError('Forbidden', `${what}: the DAV server forbids this (${status} ${statusText})`);
  if (status >= 500 || status === 429 || status === 408) return new RetryableError(`${what}: DAV server error ${status} ${statusText}`);
  return new PimlicoError('RemoteError', `${what}: DAV server answered ${status} ${statusText}`);
}

/** CalDAV/CardDAV over tsdav, with our own fetch (TLS pinning) and explicit handling of every status that matters. */
export class DavClient {
  private readonly fetch: typeof fetch;
  private readonly authHeaders: Record<string, string>;
  private readonly accounts = new Map<CollectionKind, DAVAccount>();

  constructor(
    private readonly settings: DavEndpointSettings,
    password: string,
  ) {
    this.fetch = createDavFetch({ trustedCertFingerprint: settings.trustedCertFingerprint });
    this.authHeaders = { authorization: basicAuth(settings.user, password) };
  }

  async discover(kind: CollectionKind): Promise<RemoteCollection[]> {
    const accountType = kind === 'calendar' ? 'caldav' : 'carddav';
    // The principal and home set rarely move: found once per session (3-4 requests saved per sync),
    // found again if listing the home fails.
    let account = this.accounts.get(kind);
    if (!account) {
      try {
        account = await createAccount({
          account: { serverUrl: this.settings.url, accountType },
          headers: this.authHeaders,
          fetch: this.fetch,
        });
      } catch (err) {
        throw this.discoveryError(kind, err);
      }
      this.accounts.set(kind, account);
    }
    let collections;
    try {
      collections = kind === 'calendar'
        ? await fetchCalendars({ account, headers: this.authHeaders, fetch: this.fetch })
        : await fetchAddressBooks({ account, headers: this.authHeaders, fetch: this.fetch });
    } catch (err) {
      this.accounts.delete(kind);
      throw this.discoveryError(kind, err);
    }
    if (!collections.length) this.accounts.delete(kind); // maybe the home moved: look again next time
    return collections
      .filter((c) => {
        const components = (c as { components?: string[] }).components;
        return kind === 'addressbook' || !components || components.includes('VEVENT');
      })
      .map((c) => {
        const reports: unknown = c.reports;
        const displayName = typeof c.displayName === 'string' ? c.displayName : null;
        const url = canonicalHref(c.url, this.settings.url);
        return {
          url,
          name: displayName?.trim() || decodeURIComponent(new URL(url).pathname.split('/').filter(Boolean).pop() ?? url),
          color: normaliseColor(str((c as { calendarColor?: unknown }).calendarColor)),
          ctag: str(c.ctag),
          syncToken: str(c.syncToken),
          supportsSyncCollection: Array.isArray(reports) && reports.includes('syncCollection'),
        };
      });
  }

  private discoveryError(kind: CollectionKind, err: unknown): Error {
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof PimlicoError || err instanceof RetryableError) return err;
    if (/401|unauthori/i.test(message)) return new PimlicoError('Unauthorized', `${kind === 'calendar' ? 'CalDAV' : 'CardDAV'}: the server refused the user name or password`);
    return new RetryableError(`${kind === 'calendar' ? 'CalDAV' : 'CardDAV'} discovery failed: ${message}`);
  }

  /** RFC 6578 sync-collection; a null token asks for every member (initial sync). */
  async syncCollection(url: string, syncToken: string | null): Promise<SyncCollectionResult> {
    const responses = await syncCollection({
      url,
      props: { 'd:getetag': {} },
      syncLevel: 1,
      syncToken: syncToken ?? '',
      headers: this.authHeaders,
      fetch: this.fetch,
    });
    const whole = responses.length === 1 && responses[0] && !isMultistatus(responses[0]) ? responses[0] : null;
    if (whole && !whole.ok) {
      const raw = typeof whole.raw === 'string' ? whole.raw : '';
      // valid-sync-token precondition (403 per RFC 6578; some servers use 409/410 or a plain 400).
      if (syncToken && (/valid-sync-token/i.test(raw) || [400, 403, 409, 410].includes(whole.status))) return { kind: 'token-rejected' };
      throw httpFailure('sync-collection', whole.status, whole.statusText);
    }
    const token = str((responses[0]?.raw as { multistatus?: { syncToken?: unknown } } | undefined)?.multistatus?.syncToken);
    const changed: { href: string; etag: string | null }[] = [];
    const removed: string[] = [];
    let truncated = false;
    for (const r of responses) {
      if (!r.href) continue;
      const href = canonicalHref(r.href, url);
      if (href === canonicalHref(url)) {
        if (r.status === 507) truncated = true;
        continue;
      }
      if (r.status === 404 || r.status === 410) removed.push(href);
      else if (r.ok) changed.push({ href, etag: textOf(r.props?.['getetag']) });
    }
    return { kind: 'ok', syncToken: token, changed, removed, truncated };
  }

  async ctag(url: string): Promise<string | null> {
    const res = await propfind({
      url,
      props: { 'cs:getctag': {}, 'd:sync-token': {} },
      depth: '0',
      headers: this.authHeaders,
      fetch: this.fetch,
    });
    const r = res[0];
    if (!r) return null;
    if (!r.ok) throw httpFailure('PROPFIND', r.status, r.statusText);
    return textOf(r.props?.['getctag']) ?? textOf(r.props?.['syncToken']);
  }

  /** False only when the server says the collection is gone (404/410) or no longer ours (403). */
  async collectionExists(url: string): Promise<boolean> {
    const res = await this.fetch(url, {
      method: 'PROPFIND',
      headers: { ...this.authHeaders, depth: '0', 'content-type': 'application/xml; charset=utf-8' },
      body: '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/></d:prop></d:propfind>',
    });
    await res.arrayBuffer();
    if (res.status === 404 || res.status === 410 || res.status === 403) return false;
    if (!res.ok) throw httpFailure(`PROPFIND ${new URL(url).pathname}`, res.status, res.statusText);
    return true;
  }

  /** Every member's etag (the fallback where sync-collection is not offered). */
  async listEtags(url: string): Promise<Map<string, string | null>> {
    const res = await propfind({
      url,
      props: { 'd:getetag': {}, 'd:resourcetype': {} },
      depth: '1',
      headers: this.authHeaders,
      fetch: this.fetch,
    });
    const out = new Map<string, string | null>();
    const self = canonicalHref(url);
    for (const r of res) {
      if (!r.href) {
        if (!r.ok) throw httpFailure('PROPFIND', r.status, r.statusText);
        continue;
      }
      const href = canonicalHref(r.href, url);
      if (href === self || !r.ok) continue;
      const type: unknown = r.props?.['resourcetype'];
      if (type && typeof type === 'object' && 'collection' in type) continue;
      out.set(href, textOf(r.props?.['getetag']));
    }
    return out;
  }

  /** calendar-multiget / addressbook-multiget in batches; members gone meanwhile are simply absent. */
  async multiget(url: string, kind: CollectionKind, hrefs: string[]): Promise<RemoteResource[]> {
    const out: RemoteResource[] = [];
    for (let i = 0; i < hrefs.length; i += MULTIGET_BATCH) {
      const batch = hrefs.slice(i, i + MULTIGET_BATCH).map((h) => new URL(h).pathname);
      const isCal = kind === 'calendar';
      const responses: DAVResponse[] = await davRequest({
        url,
        init: {
          method: 'REPORT',
          namespace: isCal ? 'c' : 'card',
          headers: { ...this.authHeaders, depth: '1' },
          body: {
            [isCal ? 'calendar-multiget' : 'addressbook-multiget']: {
              _attributes: getDAVAttribute([DAVNamespace.DAV, isCal ? DAVNamespace.CALDAV : DAVNamespace.CARDDAV]),
              'd:prop': isCal ? { 'd:getetag': {}, 'c:calendar-data': {} } : { 'd:getetag': {}, 'card:address-data': {} },
              'd:href': batch,
            },
          },
        },
        fetch: this.fetch,
      });
      for (const r of responses) {
        if (!r.href) {
          if (!r.ok) throw httpFailure('multiget', r.status, r.statusText);
          continue;
        }
        if (!r.ok) continue;
        const data = textOf(r.props?.[isCal ? 'calendarData' : 'addressData']);
        const etag = textOf(r.props?.['getetag']);
        if (data && etag) out.push({ href: canonicalHref(r.href, url), etag, data });
        else if (data) {
          // Without an etag we could not write it back safely: fetch it alone.
          const one = await this.get(canonicalHref(r.href, url));
          if (one) out.push(one);
        }
      }
    }
    return out;
  }

  async get(href: string): Promise<RemoteResource | null> {
    const res = await this.fetch(href, { method: 'GET', headers: this.authHeaders });
    if (res.status === 404 || res.status === 410) return null;
    if (!res.ok) throw httpFailure(`GET ${new URL(href).pathname}`, res.status, res.statusText);
    const data = await res.text();
    return { href, etag: res.headers.get('etag') ?? '', data };
  }

  /** PUT with If-Match (update) or If-None-Match: * (create), so nothing changed elsewhere is overwritten. */
  async put(href: string, body: string, contentType: string, condition: { ifMatch: string } | { create: true }): Promise<WriteResult> {
    const headers: Record<string, string> = { ...this.authHeaders, 'content-type': `${contentType}; charset=utf-8` };
    if ('ifMatch' in condition) headers['if-match'] = condition.ifMatch;
    else headers['if-none-match'] = '*';
    const res = await this.fetch(href, { method: 'PUT', headers, body });
    await res.arrayBuffer();
    if (res.status === 412) return { kind: 'precondition-failed' };
    if (res.status === 404 || res.status === 410) return { kind: 'not-found' };
    if (res.status === 403) return { kind: 'forbidden' };
    if (!res.ok) throw httpFailure(`PUT ${new URL(href).pathname}`, res.status, res.statusText);
    return { kind: 'ok', etag: res.headers.get('etag') };
  }

  async delete(href: string, ifMatch: string | null): Promise<WriteResult> {
    const headers: Record<string, string> = { ...this.authHeaders };
    if (ifMatch) headers['if-match'] = ifMatch;
    const res = await this.fetch(href, { method: 'DELETE', headers });
    await res.arrayBuffer();
    if (res.status === 412) return { kind: 'precondition-failed' };
    if (res.status === 404 || res.status === 410) return { kind: 'not-found' };
    if (res.status === 403) return { kind: 'forbidden' };
    if (!res.ok) throw httpFailure(`DELETE ${new URL(href).pathname}`, res.status, res.statusText);
    return { kind: 'ok', etag: null };
  }
}

function isMultistatus(r: DAVResponse): boolean {
  const raw: unknown = r.raw;
  return typeof raw === 'object' && raw !== null && 'multistatus' in raw;
}

/** Apple's calendar-color is "#RRGGBBAA" or "#RRGGBB"; the UI wants "#rrggbb". */
function normaliseColor(c: string | null): string | null {
  if (!c) return null;
  const m = /^#([0-9a-f]{6})([0-9a-f]{2})?$/i.exec(c.trim());
  return m ? `#${m[1]!.toLowerCase()}` : null;
}
