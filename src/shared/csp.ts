/** The one Content-Security-Policy of the UI, in the Electron window and in headless mode: only our own scripts, no plugins, no framing, no remote loads. */
export const RENDERER_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  // Remote images only ever appear inside the sandboxed mail frame, whose own CSP blocks them until the
  // user allows remote content for that message or sender; a frame cannot widen its parent's policy,
  // so the parent must allow them for "Load remote content" to work at all.
  "img-src 'self' data: blob: https: http:",
  "font-src 'self'",
  "connect-src 'self'",
  "frame-src 'self' blob: data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
