import DOMPurify from 'dompurify';

/**
 * Mail HTML is hostile until proven otherwise. DOMPurify removes scripts, handlers, forms and
 * dangerous URLs; remote resources are then stripped unless the user allowed them for this message,
 * and the frame that shows the result has its own CSP and no script permission anyway.
 */
export function sanitizeMailHtml(html: string, allowRemote: boolean): { html: string; blockedRemote: number } {
  let blockedRemote = 0;
  const purify = DOMPurify();
  purify.addHook('uponSanitizeAttribute', (_node, data) => {
    const name = data.attrName.toLowerCase();
    if (name === 'src' || name === 'background' || name === 'poster' || name === 'srcset') {
      const value = data.attrValue.trim();
      const isLocal = /^(data:image\/|cid:)/i.test(value);
      if (!isLocal && !allowRemote) {
        blockedRemote++;
        data.keepAttr = false;
      }
    }
    if (name === 'style' && !allowRemote && /url\s*\(/i.test(data.attrValue)) {
      blockedRemote++;
      data.attrValue = data.attrValue.replace(/url\s*\([^)]*\)/gi, 'none');
    }
  });
  purify.addHook('afterSanitizeAttributes', (node) => {
    if (node.tagName === 'A') {
      const href = node.getAttribute('href') ?? '';
      if (!/^(https?:|mailto:)/i.test(href)) node.removeAttribute('href');
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer');
    }
  });
  const clean = purify.sanitize(html, {
    FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'frame', 'object', 'embed', 'link', 'meta', 'base', 'svg', 'math'],
    FORBID_ATTR: ['action', 'formaction', 'ping'],
    ALLOW_DATA_ATTR: false,
    WHOLE_DOCUMENT: false,
  });
  return { html: clean, blockedRemote };
}

/** The document inside the sandboxed frame; its CSP forbids scripts and, unless allowed, any remote load. */
export function frameDocument(bodyHtml: string, allowRemote: boolean, dark: boolean): string {
  const img = allowRemote ? "img-src data: cid: https: http:" : 'img-src data: cid:';
  const csp = `default-src 'none'; ${img}; style-src 'unsafe-inline'; font-src data:`;
  return `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${csp}">
<style>body{font:14px/1.5 system-ui,sans-serif;margin:16px;color:${dark ? '#e6e6e6' : '#1b1b1f'};background:transparent;word-wrap:break-word}
img{max-width:100%;height:auto}blockquote{border-left:3px solid #8884;margin:0 0 0 4px;padding-left:10px;color:#888}a{color:#3b82f6}</style>
</head><body>${bodyHtml}</body></html>`;
}

const URL_RE = /\b(https?:\/\/[^\s<>"']+|mailto:[^\s<>"']+)/gi;

/** Plain-text mail: escaped, with http/https/mailto links made clickable. */
export function linkifyText(text: string): string {
  const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  let out = '';
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    out += escape(text.slice(last, m.index));
    const url = m[0].replace(/[.,;:!?)]+$/, '');
    out += `<a href="${escape(url)}" target="_blank" rel="noopener noreferrer">${escape(url)}</a>`;
    last = (m.index ?? 0) + url.length;
  }
  out += escape(text.slice(last));
  return `<pre style="white-space:pre-wrap;font:inherit;margin:0">${out}</pre>`;
}
