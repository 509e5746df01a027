const SNIPPET_LENGTH = 200;

/** Lines where the user's own text ends and a quoted original or signature begins. */
const CUT_LINE = [
  /^-- ?$/, // RFC 3676 signature separator
  /^-{2,}\s*Original Message\s*-{2,}$/i,
  /^_{20,}$/, // Outlook's separator above "From: ..."
  /^-{2,}\s*(?:Ursprüngliche Nachricht|Message d'origine|Mensaje original|Messaggio originale|Oorspronkelijk bericht)\s*-{2,}$/i,
];

/** "On Mon, 3 Jun 2024, Ann wrote:" and its translations, when followed by quoted lines. */
const ATTRIBUTION =
  /(?:wrote|schrieb|a écrit|escribió|ha scritto|schreef|skrev|napisał|escreveu|kirjoitti)\s*:\s*$/i;

/** Invisible characters newsletters pad their preview text with. */
// An alternation, not a class: some of these are combining marks, which a class would misread.
const INVISIBLE =
  /\u00ad|\u034f|\u061c|\u115f|\u1160|\u17b4|\u17b5|\u180e|\u200b|\u200c|[\u2060-\u2064]|[\u206a-\u206f]|\u3164|\ufeff|\uffa0/g;

/**
 * About 200 characters of what the sender wrote: quoted lines, the attribution above them and
 * anything after a signature or "Original Message" separator are skipped. Falls back to the
 * whole text when skipping would leave nothing (a bare forward, say).
 */
export function makeSnippet(text: string): string {
  const lines = text.split('\n');
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (CUT_LINE.some((re) => re.test(line))) break;
    if (line.startsWith('>')) continue;
    if (ATTRIBUTION.test(line) && nextNonBlankIsQuote(lines, i + 1)) continue;
    kept.push(line);
  }
  const own = collapse(kept.join(' '));
  return truncate(own || collapse(text));
}

function nextNonBlankIsQuote(lines: string[], from: number): boolean {
  for (let i = from; i < lines.length && i < from + 3; i++) {
    const l = (lines[i] ?? '').trim();
    if (l) return l.startsWith('>');
  }
  return false;
}

function collapse(s: string): string {
  return s.replace(INVISIBLE, '').replace(/\s+/g, ' ').trim();
}

function truncate(s: string): string {
  if (s.length <= SNIPPET_LENGTH) return s;
  // Cut at a word boundary near the limit, never inside a surrogate pair.
  let cut = s.lastIndexOf(' ', SNIPPET_LENGTH);
  if (cut < SNIPPET_LENGTH * 0.7) cut = SNIPPET_LENGTH;
  const code = s.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut--;
  return s.slice(0, cut).trimEnd();
}
