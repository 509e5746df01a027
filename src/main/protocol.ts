import { net, protocol } from 'electron';
import { extname, join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RENDERER_CSP } from '../shared/csp';

export const APP_SCHEME = 'app';
export const APP_HOST = 'pimlico';

/** Must run before the app is ready: app:// behaves like https (standard, secure origin, fetch). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

/**
 * Maps an app:// URL to a file of the built renderer, or null for anything outside it (another host,
 * `..`, encoded separators). Paths without an extension are the single-page app's routes.
 */
export function resolveRendererFile(rendererDir: string, requestUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return null;
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  if (path.includes('\0') || path.includes('\\')) return null;
  const rel = path.replace(/^\/+/, '');
  const target = rel === '' || extname(rel) === '' ? 'index.html' : rel;
  const root = normalize(rendererDir);
  const full = normalize(join(root, target));
  return full.startsWith(root.endsWith(sep) ? root : root + sep) ? full : null;
}

/** Security headers on every response of ours: the shared strict CSP (which also forbids framing), no sniffing. */
export function withSecurityHeaders(response: Response): Response {
  const headers = new Headers(response.headers);
  headers.set('Content-Security-Policy', RENDERER_CSP);
  headers.set('X-Content-Type-Options', 'nosniff');
  headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/** Serves the built renderer from app://pimlico/, never from file://. */
export function handleAppProtocol(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveRendererFile(rendererDir, request.url);
    if (!file) return withSecurityHeaders(new Response('Not found', { status: 404 }));
    try {
      return withSecurityHeaders(await net.fetch(pathToFileURL(file).toString()));
    } catch {
      return withSecurityHeaders(new Response('Not found', { status: 404 }));
    }
  });
}
