// Named character references that occur in real mail. The full HTML table has ~2,200 entries;
// beyond this set mail uses numeric references, and an unknown name is left as written.
const NAMED: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  ensp: '\u2002',
  emsp: '\u2003',
  thinsp: '\u2009',
  zwnj: '\u200c',
  zwj: '\u200d',
  lrm: '\u200e',
  rlm: '\u200f',
  ndash: '\u2013',
  mdash: '\u2014',
  lsquo: '\u2018',
  rsquo: '\u2019',
  sbquo: '\u201a',
  ldquo: '\u201c',
  rdquo: '\u201d',
  bdquo: '\u201e',
  dagger: '\u2020',
  Dagger: '\u2021',
  bull: '\u2022',
  hellip: '\u2026',
  permil: '\u2030',
  prime: '\u2032',
  Prime: '\u2033',
  lsaquo: '\u2039',
  rsaquo: '\u203a',
  oline: '\u203e',
  frasl: '\u2044',
  euro: '\u20ac',
  trade: '\u2122',
  larr: '\u2190',
  uarr: '\u2191',
  rarr: '\u2192',
  darr: '\u2193',
  harr: '\u2194',
  rArr: '\u21d2',
  lArr: '\u21d0',
  hArr: '\u21d4',
  minus: '\u2212',
  lowast: '\u2217',
  le: '\u2264',
  ge: '\u2265',
  ne: '\u2260',
  asymp: '\u2248',
  infin: '\u221e',
  check: '\u2713',
  cross: '\u2717',
  star: '\u2606',
  starf: '\u2605',
  hearts: '\u2665',
  spades: '\u2660',
  clubs: '\u2663',
  diams: '\u2666',
  loz: '\u25ca',
  OElig: '\u0152',
  oelig: '\u0153',
  Scaron: '\u0160',
  scaron: '\u0161',
  Yuml: '\u0178',
  fnof: '\u0192',
  circ: '\u02c6',
  tilde: '\u02dc',
  Alpha: '\u0391',
  alpha: '\u03b1',
  beta: '\u03b2',
  gamma: '\u03b3',
  delta: '\u03b4',
  pi: '\u03c0',
  mu: '\u03bc',
  sigma: '\u03c3',
  omega: '\u03c9',
  Omega: '\u03a9',
  tab: '\t',
  newline: '\n',
  colon: ':',
  comma: ',',
  period: '.',
  excl: '!',
  quest: '?',
  num: '#',
  dollar: '$',
  percnt: '%',
  lpar: '(',
  rpar: ')',
  ast: '*',
  plus: '+',
  sol: '/',
  semi: ';',
  equals: '=',
  commat: '@',
  lsqb: '[',
  rsqb: ']',
  bsol: '\\',
  lowbar: '_',
  grave: '`',
  lcub: '{',
  rcub: '}',
  verbar: '|',
  vert: '|',
};

// Latin-1 (U+00A1..U+00FF) in code point order; all of them are common in European mail.
const LATIN1 =
  'iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 acute ' +
  'micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde Auml ' +
  'Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc ' +
  'Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde auml ' +
  'aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml eth ntilde ograve oacute ocirc ' +
  'otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml';
LATIN1.split(' ').forEach((name, i) => {
  NAMED[name] = String.fromCharCode(0xa1 + i);
});

// Windows-1252 C1 remapping that HTML applies to numeric references (&#150; is an en dash).
const C1: Record<number, number> = {
  0x80: 0x20ac,
  0x82: 0x201a,
  0x83: 0x0192,
  0x84: 0x201e,
  0x85: 0x2026,
  0x86: 0x2020,
  0x87: 0x2021,
  0x88: 0x02c6,
  0x89: 0x2030,
  0x8a: 0x0160,
  0x8b: 0x2039,
  0x8c: 0x0152,
  0x8e: 0x017d,
  0x91: 0x2018,
  0x92: 0x2019,
  0x93: 0x201c,
  0x94: 0x201d,
  0x95: 0x2022,
  0x96: 0x2013,
  0x97: 0x2014,
  0x98: 0x02dc,
  0x99: 0x2122,
  0x9a: 0x0161,
  0x9b: 0x203a,
  0x9c: 0x0153,
  0x9e: 0x017e,
  0x9f: 0x0178,
};

export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(
    /&(?:#(\d{1,8})|#[xX]([0-9a-fA-F]{1,7})|([A-Za-z][A-Za-z0-9]{1,31}));?/g,
    (whole, dec, hex, name) => {
      if (dec !== undefined || hex !== undefined) {
        let cp = dec !== undefined ? parseInt(dec as string, 10) : parseInt(hex as string, 16);
        cp = C1[cp] ?? cp;
        if (cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return '\ufffd';
        return String.fromCodePoint(cp);
      }
      const value = NAMED[name as string];
      // Without a semicolon only the legacy names decode (as browsers do), so "&copy2024" still works.
      if (value === undefined) return whole;
      if (!whole.endsWith(';') && !((name as string) in LEGACY_NO_SEMICOLON)) return whole;
      return value;
    },
  );
}

const LEGACY_NO_SEMICOLON: Record<string, true> = Object.fromEntries(
  ['amp', 'lt', 'gt', 'quot', 'nbsp', 'copy', 'reg', ...LATIN1.split(' ')].map((n) => [n, true]),
);
