import DOMPurify from 'dompurify';

/** URL schemes a link may keep; everything else (javascript:, data:, file:, vbscript:, ...) loses its href. */
const SAFE_LINK = /^(https?:|mailto:)/i;
/** Resources that never touch the network: inline images and parts of this message. */
const LOCAL_RESOURCE = /^(data:image\/(png|gif|jpe?g|webp|bmp);|cid:)/i;
/** CSS that can fetch something: url(), image-set(), @import, and old IE expressions/behaviours. */
const CSS_FETCH = /url\s*\(|image-set\s*\(|@import|expression\s*\(|behavior\s*:|-moz-binding/i;

/**
 * Mail HTML is hostile until proven otherwise. DOMPurify removes scripts, handlers, forms and
 * dangerous URLs; remote resources are then stripped unless the user allowed them for this message
 * or sender, and the frame that shows the result has its own CSP and no script permission anyway.
 */
export function sanitizeMailHtml(html: string, allowRemote: boolean): { html: string; blockedRemote: number } {
  let blockedRemote = 0;
  const purify = DOMPurify();
  purify.addHook('uponSanitizeAttribute', (_node, data) => {
    const name = data.attrName.toLowerCase();
    if (name === 'src' || name === 'background' || name === 'poster' || name === 'srcset' || name === 'lowsrc' || name === 'dynsrc') {
      const value = data.attrValue.trim();
      const local = name !== 'srcset' && LOCAL_RESOURCE.test(value);
      if (!local && !(allowRemote && /^https?:/i.test(value))) {
        if (/^https?:|^\/\//i.test(value)) blockedRemote++;
        data.keepAttr = false;
      }
    }
    if (name === 'style' && /\\|&#|\/\*/.test(data.attrValue)) {
      // CSS escapes and comments can spell url( in ways no filter sees: such a style goes entirely.
      data.keepAttr = false;
      return;
    }
    if (name === 'style' && CSS_FETCH.test(data.attrValue)) {
      // A style that could fetch goes whole: rewriting CSS piecemeal is how filters get bypassed.
      const legacy = /@import|expression\s*\(|behavior\s*:|-moz-binding/i.test(data.attrValue);
      if (!allowRemote || legacy) {
        blockedRemote++;
        data.keepAttr = false;
      }
    }
  });
  purify.addHook('afterSanitizeAttributes', (node) => {
    if (node.tagName === 'A' || node.tagName === 'AREA') {
      const href = (node.getAttribute('href') ?? '').trim();
      if (!SAFE_LINK.test(href)) node.removeAttribute('href');
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer');
    }
  });
  const clean = purify.sanitize(html, {
    FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'option', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'link', 'meta', 'base', 'svg', 'math', 'audio', 'video', 'source', 'track', 'picture', 'portal', 'template'],
    FORBID_ATTR: ['action', 'formaction', 'ping', 'srcdoc', 'xlink:href', 'manifest', 'http-equiv'],
    ALLOW_DATA_ATTR: false,
    WHOLE_DOCUMENT: false,
  });
  return { html: foldQuotes(clean), blockedRemote };
}

/**
 * Quoted text is folded into <details>: it opens on click without any script, and the reply on top
 * stays readable. Only outermost quotes are folded.
 */
export function foldQuotes(html: string): string {
  if (!/<blockquote|gmail_quote|divRplyFwdMsg|moz-cite-prefix/i.test(html)) return html;
  const doc = new DOMParser().parseFromString(`<body>${html}</body>`, 'text/html');
  const quotes = [...doc.body.querySelectorAll('blockquote, div.gmail_quote, div#divRplyFwdMsg')].filter(
    (q) => !q.parentElement?.closest('blockquote, div.gmail_quote, div#divRplyFwdMsg, details.quoted'),
  );
  for (const q of quotes) {
    const details = doc.createElement('details');
    details.className = 'quoted';
    const summary = doc.createElement('summary');
    summary.textContent = '··· show quoted text';
    q.replaceWith(details);
    details.append(summary, q);
  }
  return doc.body.innerHTML;
}

/** The document inside the sandboxed frame; its CSP forbids scripts and, unless allowed, any remote load. */
export function frameDocument(bodyHtml: string, allowRemote: boolean, dark: boolean): string {
  const img = allowRemote ? 'img-src data: cid: https: http:' : 'img-src data: cid:';
  const csp = `default-src 'none'; ${img}; style-src 'unsafe-inline'; font-src data:; form-action 'none'; base-uri 'none'`;
  return `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="referrer" content="no-referrer">
<style>body{font:14px/1.5 system-ui,sans-serif;margin:16px;color:${dark ? '#e6e6e6' : '#1b1b1f'};background:transparent;word-wrap:break-word}
img{max-width:100%;height:auto}blockquote{border-left:3px solid #8884;margin:0 0 0 4px;padding-left:10px;color:#888}a{color:#3b82f6}
details.quoted>summary{cursor:pointer;color:#888;font-size:12px;list-style:none;display:inline-block;border:1px solid #8886;border-radius:4px;padding:0 6px;margin:8px 0}
mark{background:#fde047;color:inherit}</style>
</head><body>${bodyHtml}</body></html>`;
}

const URL_RE = /\b(https?:\/\/[^\s<>"']+|mailto:[^\s<>"']+)/gi;

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function linkifyLine(text: string): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    out += escapeHtml(text.slice(last, m.index));
    const url = m[0].replace(/[.,;:!?)]+$/, '');
    out += `<a href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">${escapeHtml(url)}</a>`;
    last = (m.index ?? 0) + url.length;
  }
  return out + escapeHtml(text.slice(last));
}

/** Plain-text mail: escaped, with http/https/mailto links made clickable and "> " quotes folded. */
export function linkifyText(text: string): string {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const out: string[] = [];
  let quote: string[] = [];
  const flush = () => {
    if (!quote.length) return;
    out.push(`<details class="quoted"><summary>··· show quoted text</summary><blockquote>${quote.join('\n')}</blockquote></details>`);
    quote = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const attribution = /^On .+wrote:\s*$/.test(line) && lines[i + 1]?.startsWith('>');
    if (line.startsWith('>') || (attribution && !quote.length)) quote.push(linkifyLine(line));
    else {
      flush();
      out.push(linkifyLine(line));
    }
  }
  flush();
  return `<pre style="white-space:pre-wrap;font:inherit;margin:0">${out.join('\n')}</pre>`;
}
