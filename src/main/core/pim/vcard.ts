// vCard 3.0 (RFC 2426) / 4.0 (RFC 6350) ⇄ ContactData, with vCard 2.1 read best-effort (bare type
// parameters, QUOTED-PRINTABLE, CHARSET). Building from an original patches only modelled properties.
import { createHash } from 'node:crypto';
import {
  type ContentComponent,
  type ContentParam,
  type ContentProperty,
  componentToString,
  escapeText,
  firstProp,
  getParam,
  getParamValues,
  isModified,
  withParam,
  makeComponent,
  makeProperty,
  parseContent,
  props,
  removeItems,
  replaceProperties,
  setSingle,
  splitEscaped,
  unescapeText,
  withValue,
} from './contentline';
import { daysInMonth, formatIcsLocal, formatUtc, parseIcsDateTime, parseUtcIso } from './datetime';
import { PimParseError } from './errors';
import { validateContactData } from './schema';
import type {
  AddressType,
  BuildVCardOptions,
  ContactAddress,
  ContactData,
  ContactEmail,
  ContactPhone,
  ContactPhoto,
  ParsedContact,
  PhoneType,
} from './types';

type Version = '2.1' | '3.0' | '4.0';

function versionOf(card: ContentComponent): Version {
  const v = (firstProp(card, 'VERSION')?.value ?? '').trim();
  return v === '4.0' ? '4.0' : v === '2.1' || v === '2.0' ? '2.1' : '3.0';
}

// ---------------------------------------------------------------- 2.1 normalisation

const ENCODINGS = new Set(['QUOTED-PRINTABLE', 'BASE64', 'B', '8BIT', '7BIT']);
const STRUCTURED = new Set(['N', 'ADR', 'ORG']);
const LIST_VALUED = new Set(['CATEGORIES', 'NICKNAME']);
const BINARY = new Set(['PHOTO', 'LOGO', 'SOUND', 'KEY']);

function decodeQuotedPrintable(v: string, charset: string): string {
  const bytes: number[] = [];
  const enc = new TextEncoder();
  for (let i = 0; i < v.length; i++) {
    const ch = v.charAt(i);
    const hex = v.slice(i + 1, i + 3);
    if (ch === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else if (ch !== '=') {
      bytes.push(...enc.encode(ch));
    }
  }
  const data = Uint8Array.from(bytes);
  try {
    return new TextDecoder(charset || 'utf-8').decode(data);
  } catch {
    return new TextDecoder('utf-8').decode(data);
  }
}

/** 2.1 text is unescaped; 3.0 needs commas/semicolons/newlines escaped (by property kind). */
function to30Text(v: string, name: string): string {
  const s = v.replace(/\r\n|\r|\n/g, '\\n');
  if (STRUCTURED.has(name)) return s.replace(/(?<!\\),/g, '\\,');
  if (LIST_VALUED.has(name)) return s;
  return s.replace(/(?<!\\)([,;])/g, '\\$1');
}

function normaliseProp21(p: ContentProperty): ContentProperty {
  let encoding: string | null = null;
  let charset = 'utf-8';
  const types: string[] = [];
  const params: ContentParam[] = [];
  for (const param of p.params) {
    const n = param.name.toUpperCase();
    if (!param.values.length) {
      if (ENCODINGS.has(n)) encoding = n;
      else types.push(param.name);
      continue;
    }
    if (n === 'ENCODING') encoding = (param.values[0] ?? '').toUpperCase();
    else if (n === 'CHARSET') charset = param.values[0] ?? 'utf-8';
    else if (n === 'TYPE') types.push(...param.values);
    else params.push(param);
  }
  let value = p.value;
  if (encoding === 'BASE64' || encoding === 'B') {
    params.unshift({ name: 'ENCODING', values: ['b'] });
    value = value.replace(/\s+/g, '');
  } else if (!BINARY.has(p.name)) {
    value = to30Text(encoding === 'QUOTED-PRINTABLE' ? decodeQuotedPrintable(value, charset) : value, p.name);
  }
  if (types.length) params.unshift({ name: 'TYPE', values: types });
  return { ...p, params, value, raw: null };
}

function normalise21(card: ContentComponent): ContentComponent {
  return {
    ...card,
    items: card.items.map((i) => (i.kind === 'property' && i.name !== 'VERSION' ? normaliseProp21(i) : i)),
  };
}

// ---------------------------------------------------------------- reading

/** Wire value with any QUOTED-PRINTABLE layer removed (still vCard-escaped). */
function wire(p: ContentProperty): string {
  const enc = (getParam(p, 'ENCODING') ?? '').toUpperCase();
  const bareQp = p.params.some((x) => !x.values.length && x.name.toUpperCase() === 'QUOTED-PRINTABLE');
  return enc === 'QUOTED-PRINTABLE' || bareQp
    ? decodeQuotedPrintable(p.value, getParam(p, 'CHARSET') ?? 'utf-8')
    : p.value;
}

function text(p: ContentProperty | null): string {
  return p ? unescapeText(wire(p)) : '';
}

function components(p: ContentProperty | null, n: number): string[] {
  const parts = p ? splitEscaped(wire(p), ';').map((x) => unescapeText(x).trim()) : [];
  while (parts.length < n) parts.push('');
  return parts;
}

function typesOf(p: ContentProperty): string[] {
  const out: string[] = [];
  for (const v of getParamValues(p, 'TYPE'))
    for (const t of v.split(',')) if (t.trim()) out.push(t.trim().toLowerCase());
  for (const param of p.params) {
    if (!param.values.length && !ENCODINGS.has(param.name.toUpperCase())) out.push(param.name.toLowerCase());
  }
  return out;
}

function isPref(p: ContentProperty): boolean {
  return typesOf(p).includes('pref') || (getParam(p, 'PREF') ?? '').trim() === '1';
}

/** Apple's grouped label (item1.X-ABLabel) for a property, decoded from "_$!<Home>!$_" to "home". */
function labelOf(card: ContentComponent, p: ContentProperty): string | null {
  const label = labelProp(card, p);
  if (!label) return null;
  const v = unescapeText(label.value).trim();
  const m = /^_\$!<(.+)>!\$_$/.exec(v);
  return (m ? (m[1] ?? '') : v).toLowerCase() || null;
}

function labelProp(card: ContentComponent, p: ContentProperty): ContentProperty | null {
  if (!p.group) return null;
  const g = p.group.toLowerCase();
  for (const i of card.items) {
    if (i.kind === 'property' && i.name === 'X-ABLABEL' && i.group?.toLowerCase() === g) return i;
  }
  return null;
}

const IGNORED_EMAIL_TYPES = new Set(['internet', 'pref', 'x400', 'x-internet']);

function emailOf(card: ContentComponent, p: ContentProperty): ContactEmail {
  const label = labelOf(card, p);
  const type = label ?? typesOf(p).find((t) => !IGNORED_EMAIL_TYPES.has(t)) ?? 'other';
  return { type, address: text(p).trim(), pref: isPref(p) };
}

function phoneTypeFrom(tokens: string[]): PhoneType {
  if (tokens.some((t) => t.includes('fax'))) return 'fax';
  if (tokens.some((t) => t === 'cell' || t === 'mobile' || t === 'iphone')) return 'mobile';
  if (tokens.includes('work')) return 'work';
  if (tokens.includes('home')) return 'home';
  return 'other';
}

function phoneOf(card: ContentComponent, p: ContentProperty): ContactPhone {
  const label = labelOf(card, p);
  const number = text(p).trim().replace(/^tel:/i, '');
  return { type: phoneTypeFrom(label ? [label] : typesOf(p)), number, pref: isPref(p) };
}

function addressTypeFrom(tokens: string[]): AddressType {
  return tokens.includes('work') ? 'work' : tokens.includes('home') ? 'home' : 'other';
}

function addressOf(card: ContentComponent, p: ContentProperty): ContactAddress {
  const [, , street = '', locality = '', region = '', postalCode = '', country = ''] = components(p, 7);
  const label = labelOf(card, p);
  return {
    type: addressTypeFrom(label ? [label] : typesOf(p)),
    street,
    locality,
    region,
    postalCode,
    country,
  };
}

function mediaTypeOf(t: string): string {
  const v = t.trim().toLowerCase();
  if (!v) return 'image/jpeg';
  if (v.includes('/')) return v;
  return v === 'jpg' ? 'image/jpeg' : `image/${v}`;
}

function safeDecodeUri(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

function photoOf(p: ContentProperty | null): ContactPhoto | null {
  if (!p) return null;
  const v = wire(p).trim();
  if (!v) return null;
  const data = /^data:([^;,]*)((?:;[^;,]*)*),(.*)$/is.exec(v);
  if (data) {
    const isB64 = /;base64/i.test(data[2] ?? '');
    const payload = (data[3] ?? '').replace(/\s+/g, '');
    return {
      mediaType: (data[1] ?? '').toLowerCase() || 'image/jpeg',
      base64: isB64 ? payload : Buffer.from(safeDecodeUri(payload), 'utf8').toString('base64'),
    };
  }
  const enc = (
    getParam(p, 'ENCODING') ??
    p.params.find((x) => !x.values.length && /^(b|base64)$/i.test(x.name))?.name ??
    ''
  ).toUpperCase();
  const valueType = (getParam(p, 'VALUE') ?? '').toLowerCase();
  if (
    enc === 'B' ||
    enc === 'BASE64' ||
    (valueType !== 'uri' && valueType !== 'url' && /^[A-Za-z0-9+/=\s]{64,}$/.test(v))
  ) {
    const type = getParam(p, 'MEDIATYPE') ?? typesOf(p).find((t) => t !== 'pref') ?? '';
    return { mediaType: mediaTypeOf(type), base64: v.replace(/\s+/g, '') };
  }
  return { uri: unescapeText(v) };
}

function birthdayOf(p: ContentProperty | null): string | null {
  if (!p || (getParam(p, 'VALUE') ?? '').toLowerCase() === 'text') return null;
  const v = wire(p).trim();
  const valid = (m: number, d: number): boolean => m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(2000, m);
  const noYear = /^--(\d{2})-?(\d{2})/.exec(v);
  if (noYear) {
    const m = Number(noYear[1]);
    const d = Number(noYear[2]);
    return valid(m, d) ? `--${noYear[1]}-${noYear[2]}` : null;
  }
  const full = /^(\d{4})-?(\d{2})-?(\d{2})/.exec(v);
  if (!full) return null;
  const y = Number(full[1]);
  const m = Number(full[2]);
  const d = Number(full[3]);
  if (
    !valid(m, d) ||
    (m === 2 && d === 29 && daysInMonth(y, 2) < 29 && getParam(p, 'X-APPLE-OMIT-YEAR') === null)
  )
    return null;
  // Apple stores "no year" as a placeholder year (1604) flagged by X-APPLE-OMIT-YEAR.
  if (getParam(p, 'X-APPLE-OMIT-YEAR') === full[1]) return `--${full[2]}-${full[3]}`;
  return `${full[1]}-${full[2]}-${full[3]}`;
}

function revisionOf(p: ContentProperty | null): string | null {
  if (!p) return null;
  const v = wire(p).trim();
  if (!v) return null;
  try {
    const d = parseIcsDateTime(v);
    return formatUtc(d.secs);
  } catch {
    return v;
  }
}

function fallbackUid(card: ContentComponent): string {
  return `pimlico-${createHash('sha1').update(componentToString(card)).digest('hex').slice(0, 32)}`;
}

interface Entry<T> {
  value: T;
  prop: ContentProperty;
}

interface ReadContact {
  data: ContactData;
  emails: Entry<ContactEmail>[];
  phones: Entry<ContactPhone>[];
  addresses: Entry<ContactAddress>[];
  urls: Entry<string>[];
}

function readContact(card: ContentComponent): ReadContact {
  const [surname = '', givenName = '', middleName = '', prefix = '', suffix = ''] = components(
    firstProp(card, 'N'),
    5,
  );
  const [company = '', department = ''] = components(firstProp(card, 'ORG'), 2);
  const emails = props(card, 'EMAIL')
    .map((p) => ({ value: emailOf(card, p), prop: p }))
    .filter((e) => e.value.address);
  const phones = props(card, 'TEL')
    .map((p) => ({ value: phoneOf(card, p), prop: p }))
    .filter((e) => e.value.number);
  const addresses = props(card, 'ADR').map((p) => ({ value: addressOf(card, p), prop: p }));
  const urls = props(card, 'URL')
    .map((p) => ({ value: text(p).trim(), prop: p }))
    .filter((e) => e.value);
  const kindRaw = (
    firstProp(card, 'KIND')?.value ??
    firstProp(card, 'X-ADDRESSBOOKSERVER-KIND')?.value ??
    ''
  ).trim();
  const members = [...props(card, 'MEMBER'), ...props(card, 'X-ADDRESSBOOKSERVER-MEMBER')]
    .map((p) => wire(p).trim())
    .filter(Boolean);
  const categories: string[] = [];
  for (const p of props(card, 'CATEGORIES')) {
    for (const part of splitEscaped(wire(p), ',')) {
      const v = unescapeText(part).trim();
      if (v) categories.push(v);
    }
  }
  const uidProp = firstProp(card, 'UID');
  let displayName = text(firstProp(card, 'FN')).trim();
  if (!displayName) {
    displayName =
      [prefix, givenName, middleName, surname, suffix].filter(Boolean).join(' ') ||
      company ||
      (emails[0]?.value.address ?? '');
  }
  const data: ContactData = {
    uid: uidProp && wire(uidProp).trim() ? wire(uidProp).trim() : fallbackUid(card),
    kind: kindRaw.toLowerCase() === 'group' ? 'group' : 'individual',
    displayName,
    givenName,
    surname,
    middleName,
    prefix,
    suffix,
    nickname: props(card, 'NICKNAME')
      .map((p) =>
        splitEscaped(wire(p), ',')
          .map((x) => unescapeText(x).trim())
          .filter(Boolean)
          .join(', '),
      )
      .filter(Boolean)
      .join(', '),
    emails: emails.map((e) => e.value),
    phones: phones.map((e) => e.value),
    addresses: addresses.map((e) => e.value),
    company,
    department,
    jobTitle: text(firstProp(card, 'TITLE')).trim(),
    birthday: birthdayOf(firstProp(card, 'BDAY')),
    notes: props(card, 'NOTE')
      .map((p) => text(p))
      .join('\n'),
    categories,
    urls: urls.map((e) => e.value),
    photo: photoOf(firstProp(card, 'PHOTO')),
    members,
    revision: revisionOf(firstProp(card, 'REV')),
  };
  return { data, emails, phones, addresses, urls };
}

// ---------------------------------------------------------------- parse

export function parseVCards(text: string): ParsedContact[] {
  if (typeof text !== 'string' || !text.trim())
    throw new PimParseError('EMPTY_INPUT', 'The vCard data is empty');
  if (!/^[ \t]*BEGIN:VCARD[ \t]*$/im.test(text))
    throw new PimParseError('NOT_VCARD', 'This is not vCard data (no BEGIN:VCARD)');
  const cards = parseContent(text).filter((c) => c.name === 'VCARD');
  if (!cards.length) throw new PimParseError('NOT_VCARD', 'No VCARD component found');
  return cards.map((card) => {
    const version = versionOf(card);
    const data = readContact(version === '2.1' ? normalise21(card) : card).data;
    return { data, version: version === '4.0' ? '4.0' : '3.0', original: componentToString(card) };
  });
}

// ---------------------------------------------------------------- build

const APPLE_LABEL: Record<string, string> = {
  home: '_$!<Home>!$_',
  work: '_$!<Work>!$_',
  other: '_$!<Other>!$_',
  mobile: '_$!<Mobile>!$_',
  fax: '_$!<OtherFAX>!$_',
};

function setTypes(
  p: ContentProperty,
  version: '3.0' | '4.0',
  kinds: string[],
  pref: boolean,
  keep: string[],
): ContentProperty {
  const existingName = p.params.find((x) => x.name.toUpperCase() === 'TYPE')?.name ?? 'TYPE';
  const kept = typesOf(p).filter((t) => keep.includes(t));
  const params = p.params.filter((x) => {
    const n = x.name.toUpperCase();
    if (n === 'TYPE' || n === 'PREF') return false;
    return !(!x.values.length && !ENCODINGS.has(n));
  });
  const up = (t: string): string => (version === '3.0' ? t.toUpperCase() : t.toLowerCase());
  const values = [...kept.map(up), ...kinds.map(up).filter((k) => !kept.includes(k.toLowerCase()))];
  if (pref && version === '3.0') values.push('pref');
  const next: ContentParam[] = [];
  if (values.length) next.push({ name: existingName, values });
  if (pref && version === '4.0') next.push({ name: 'PREF', values: ['1'] });
  return { ...p, params: [...next, ...params], raw: null };
}

/** Keeps Apple's X-ABLabel in step with a changed type (the label wins over TYPE when reading). */
function relabel(card: ContentComponent, p: ContentProperty, type: string): void {
  const label = labelProp(card, p);
  if (!label) return;
  const next = APPLE_LABEL[type] ?? type;
  const idx = card.items.indexOf(label);
  if (idx >= 0) card.items[idx] = withValue(label, escapeText(next));
}

/** Drops X- companions (labels, X-ABADR) of a removed grouped property when nothing else uses the group. */
function dropOrphanGroups(card: ContentComponent, removed: ContentProperty[]): void {
  for (const p of removed) {
    if (!p.group) continue;
    const g = p.group.toLowerCase();
    const rest = card.items.filter(
      (i): i is ContentProperty => i.kind === 'property' && i.group?.toLowerCase() === g,
    );
    if (rest.every((i) => i.name.startsWith('X-'))) {
      removeItems(card, (i) => i.kind === 'property' && i.group?.toLowerCase() === g);
    }
  }
}

function patchList<T>(
  card: ContentComponent,
  name: string,
  before: Entry<T>[],
  next: T[],
  key: (v: T) => string,
  same: (a: T, b: T) => boolean,
  make: (v: T, existing: ContentProperty | null, prev: T | null) => ContentProperty,
): void {
  const used = new Set<number>();
  const match: (number | null)[] = next.map((v) => {
    const idx = before.findIndex((b, i) => !used.has(i) && key(b.value) === key(v));
    if (idx < 0) return null;
    used.add(idx);
    return idx;
  });
  // Unmatched entries pair up in order, so an edited number/address keeps its parameters and label.
  for (let i = 0; i < next.length; i++) {
    if (match[i] !== null) continue;
    const idx = before.findIndex((_b, j) => !used.has(j));
    if (idx < 0) break;
    used.add(idx);
    match[i] = idx;
  }
  const out = next.map((v, i) => {
    const idx = match[i];
    const prev = idx === null || idx === undefined ? null : (before[idx] ?? null);
    if (prev && same(prev.value, v)) return prev.prop;
    return make(v, prev?.prop ?? null, prev?.value ?? null);
  });
  const removedProps = before.filter((_b, i) => !used.has(i)).map((b) => b.prop);
  const modelled = new Set(before.map((b) => b.prop));
  // Properties of this name we did not model (e.g. an EMAIL with an empty value) are left alone.
  const untouched = props(card, name).filter((p) => !modelled.has(p));
  replaceProperties(card, name, [...out, ...untouched]);
  dropOrphanGroups(card, removedProps);
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function patchTextProp(
  card: ContentComponent,
  name: string,
  changed: boolean,
  value: string,
  keepEmpty = false,
): void {
  if (!changed) return;
  setSingle(card, name, (ex) => {
    if (!value && !keepEmpty) return null;
    return ex ? withValue(ex, escapeText(value)) : makeProperty(name, escapeText(value));
  });
}

function photoProp(
  photo: ContactPhoto,
  version: '3.0' | '4.0',
  existing: ContentProperty | null,
): ContentProperty {
  const kept = (existing?.params ?? []).filter(
    (x) => !['ENCODING', 'TYPE', 'VALUE', 'MEDIATYPE'].includes(x.name.toUpperCase()) && x.values.length > 0,
  );
  const base: ContentProperty = existing
    ? { ...existing, params: kept, raw: null }
    : makeProperty('PHOTO', '');
  if ('uri' in photo) {
    return version === '3.0'
      ? { ...base, params: [{ name: 'VALUE', values: ['uri'] }, ...kept], value: photo.uri }
      : { ...base, value: photo.uri };
  }
  if (version === '4.0') return { ...base, value: `data:${photo.mediaType};base64,${photo.base64}` };
  const sub = (photo.mediaType.split('/')[1] ?? 'jpeg').toUpperCase();
  return {
    ...base,
    params: [{ name: 'ENCODING', values: ['b'] }, { name: 'TYPE', values: [sub] }, ...kept],
    value: photo.base64,
  };
}

function birthdayValue(b: string, version: '3.0' | '4.0', existing: ContentProperty | null): ContentProperty {
  const noYear = b.startsWith('--');
  const [y, m, d] = noYear ? ['', b.slice(2, 4), b.slice(5, 7)] : b.split('-');
  const kept = (existing?.params ?? []).filter(
    (x) => !['VALUE', 'X-APPLE-OMIT-YEAR'].includes(x.name.toUpperCase()),
  );
  const base: ContentProperty = existing
    ? { ...existing, params: kept, raw: null }
    : makeProperty('BDAY', '');
  if (version === '4.0') return { ...base, value: noYear ? `--${m}${d}` : `${y}${m}${d}` };
  if (noYear && existing && getParam(existing, 'X-APPLE-OMIT-YEAR') !== null) {
    return {
      ...base,
      params: [{ name: 'X-APPLE-OMIT-YEAR', values: ['1604'] }, ...kept],
      value: `1604-${m}-${d}`,
    };
  }
  return { ...base, value: noYear ? `--${m}-${d}` : `${y}-${m}-${d}` };
}

const EMAIL_KINDS = (t: string): string[] => (t === 'other' || !t ? [] : [t]);
const PHONE_KINDS: Record<PhoneType, string[]> = {
  mobile: ['cell'],
  home: ['home'],
  work: ['work'],
  fax: ['fax'],
  other: ['voice'],
};
const ADR_KINDS: Record<AddressType, string[]> = { home: ['home'], work: ['work'], other: [] };

function patchContact(
  card: ContentComponent,
  d: ContactData,
  orig: ReadContact | null,
  version: '3.0' | '4.0',
  force: boolean,
): void {
  const o = orig?.data ?? null;
  const changed = <K extends keyof ContactData>(k: K): boolean => !o || force || !sameJson(o[k], d[k]);

  if (!o || o.uid !== d.uid)
    setSingle(card, 'UID', (ex) => (ex ? withValue(ex, d.uid) : makeProperty('UID', d.uid)));
  if (changed('kind')) {
    if (version === '4.0') {
      removeItems(card, (i) => i.kind === 'property' && i.name === 'X-ADDRESSBOOKSERVER-KIND');
      const hadKind = !!firstProp(card, 'KIND');
      setSingle(card, 'KIND', (ex) =>
        d.kind === 'group' || hadKind ? (ex ? withValue(ex, d.kind) : makeProperty('KIND', d.kind)) : null,
      );
    } else {
      removeItems(card, (i) => i.kind === 'property' && i.name === 'KIND');
      setSingle(card, 'X-ADDRESSBOOKSERVER-KIND', (ex) =>
        d.kind === 'group'
          ? ex
            ? withValue(ex, 'group')
            : makeProperty('X-ADDRESSBOOKSERVER-KIND', 'group')
          : null,
      );
    }
  }
  // FN is mandatory; other clients show it verbatim, so never leave it empty when a name is known.
  const fn =
    d.displayName ||
    [d.prefix, d.givenName, d.middleName, d.surname, d.suffix].filter(Boolean).join(' ') ||
    d.company ||
    (d.emails[0]?.address ?? '');
  patchTextProp(card, 'FN', changed('displayName'), fn, true);
  const nameKeys = ['surname', 'givenName', 'middleName', 'prefix', 'suffix'] as const;
  if (!o || force || nameKeys.some((k) => o[k] !== d[k])) {
    const value = nameKeys.map((k) => escapeText(d[k])).join(';');
    setSingle(card, 'N', (ex) => (ex ? withValue(ex, value) : makeProperty('N', value)));
  }
  patchTextProp(card, 'NICKNAME', changed('nickname'), d.nickname);
  if (changed('company') || changed('department')) {
    setSingle(card, 'ORG', (ex) => {
      const parts = ex ? splitEscaped(ex.value, ';') : [];
      parts[0] = escapeText(d.company);
      parts[1] = escapeText(d.department);
      while (parts.length > 1 && !parts[parts.length - 1]) parts.pop();
      if (parts.every((p) => !p)) return null;
      const value = parts.join(';');
      return ex ? withValue(ex, value) : makeProperty('ORG', value);
    });
  }
  patchTextProp(card, 'TITLE', changed('jobTitle'), d.jobTitle);

  if (changed('emails')) {
    patchList<ContactEmail>(
      card,
      'EMAIL',
      orig?.emails ?? [],
      d.emails,
      (e) => e.address.toLowerCase(),
      (a, b) => !force && sameJson(a, b),
      (e, ex, prev) => {
        let p = ex ?? makeProperty('EMAIL', '');
        if (!ex || prev?.address !== e.address) p = withValue(p, escapeText(e.address));
        if (!ex || force || prev?.type !== e.type || prev.pref !== e.pref) {
          const kinds = EMAIL_KINDS(e.type);
          p = setTypes(p, version, !ex && version === '3.0' ? ['internet', ...kinds] : kinds, e.pref, [
            'internet',
          ]);
          if (ex && prev?.type !== e.type) relabel(card, ex, e.type);
        }
        return p;
      },
    );
  }
  if (changed('phones')) {
    patchList<ContactPhone>(
      card,
      'TEL',
      orig?.phones ?? [],
      d.phones,
      (t) => t.number.replace(/[^\d+]/g, ''),
      (a, b) => !force && sameJson(a, b),
      (t, ex, prev) => {
        let p = ex ?? makeProperty('TEL', '');
        if (!ex || prev?.number !== t.number) {
          const uri = ex && (getParam(ex, 'VALUE') ?? '').toLowerCase() === 'uri';
          p = withValue(p, uri ? `tel:${t.number}` : escapeText(t.number));
        }
        if (!ex || force || prev?.type !== t.type || prev.pref !== t.pref) {
          p = setTypes(p, version, PHONE_KINDS[t.type], t.pref, []);
          if (ex && prev?.type !== t.type) relabel(card, ex, t.type);
        }
        return p;
      },
    );
  }
  if (changed('addresses')) {
    patchList<ContactAddress>(
      card,
      'ADR',
      orig?.addresses ?? [],
      d.addresses,
      (a) => JSON.stringify(a),
      (a, b) => !force && sameJson(a, b),
      (a, ex, prev) => {
        const parts = ex ? splitEscaped(ex.value, ';') : [];
        while (parts.length < 7) parts.push('');
        // PO box and extended address are not modelled: they stay as they were.
        parts[2] = escapeText(a.street);
        parts[3] = escapeText(a.locality);
        parts[4] = escapeText(a.region);
        parts[5] = escapeText(a.postalCode);
        parts[6] = escapeText(a.country);
        // vCard 4's LABEL parameter is the formatted old address; it would contradict the new one.
        let p = withValue(ex ? withParam(ex, 'LABEL', null) : makeProperty('ADR', ''), parts.join(';'));
        if (!ex || force || prev?.type !== a.type) {
          p = setTypes(p, version, ADR_KINDS[a.type], false, []);
          if (ex && prev?.type !== a.type) relabel(card, ex, a.type);
        }
        return p;
      },
    );
  }
  if (changed('birthday')) {
    const b = d.birthday;
    setSingle(card, 'BDAY', (ex) => (b === null ? null : birthdayValue(b, version, ex)));
  }
  if (changed('urls')) {
    patchList<string>(
      card,
      'URL',
      orig?.urls ?? [],
      d.urls,
      (u) => u,
      (a, b) => a === b,
      (u, ex) => (ex ? withValue(ex, u) : makeProperty('URL', u)),
    );
  }
  if (changed('notes'))
    replaceProperties(card, 'NOTE', d.notes ? [makeProperty('NOTE', escapeText(d.notes))] : []);
  if (changed('categories')) {
    replaceProperties(
      card,
      'CATEGORIES',
      d.categories.length ? [makeProperty('CATEGORIES', d.categories.map(escapeText).join(','))] : [],
    );
  }
  if (changed('photo')) {
    const photo = d.photo;
    const existing = firstProp(card, 'PHOTO');
    replaceProperties(card, 'PHOTO', photo ? [photoProp(photo, version, existing)] : []);
  }
  if (changed('members')) {
    const name = version === '4.0' ? 'MEMBER' : 'X-ADDRESSBOOKSERVER-MEMBER';
    const other = version === '4.0' ? 'X-ADDRESSBOOKSERVER-MEMBER' : 'MEMBER';
    const before = props(card, name);
    removeItems(card, (i) => i.kind === 'property' && i.name === other);
    replaceProperties(
      card,
      name,
      d.members.map((m) => before.find((p) => p.value.trim() === m) ?? makeProperty(name, m)),
    );
  }
  if (changed('revision')) {
    const r = d.revision;
    const secs = r === null ? null : parseUtcIso(r);
    const value =
      r === null
        ? null
        : secs === null
          ? r
          : version === '4.0'
            ? formatIcsLocal(secs) + 'Z'
            : formatUtc(secs);
    setSingle(card, 'REV', (ex) =>
      value === null ? null : ex ? withValue(ex, value) : makeProperty('REV', value),
    );
  }
}

/** Serialises a contact; with `original`, everything the model does not cover is kept as it was. */
export function buildVCard(data: ContactData, opts: BuildVCardOptions = {}): string {
  validateContactData(data);
  let card: ContentComponent;
  let orig: ReadContact | null = null;
  let origVersion: Version | null = null;
  if (opts.original !== undefined) {
    const found = parseContent(opts.original).find((c) => c.name === 'VCARD');
    if (!found) throw new PimParseError('INVALID_DATA', 'The original text contains no VCARD');
    origVersion = versionOf(found);
    card = origVersion === '2.1' ? normalise21(found) : found;
    orig = readContact(card);
  } else {
    card = makeComponent('VCARD');
  }
  const version = opts.version ?? (origVersion === '4.0' ? '4.0' : '3.0');
  // 2.1 input is already normalised to 3.0 syntax; only a 3.0 ⇄ 4.0 switch needs every field rewritten.
  const force =
    origVersion !== null && origVersion !== version && !(origVersion === '2.1' && version === '3.0');
  setSingle(card, 'VERSION', (ex) =>
    ex && ex.value.trim() === version ? ex : makeProperty('VERSION', version),
  );
  // RFC 6350 wants VERSION right after BEGIN.
  const vIdx = card.items.findIndex((i) => i.kind === 'property' && i.name === 'VERSION');
  if (vIdx > 0) card.items.unshift(...card.items.splice(vIdx, 1));
  patchContact(card, data, orig, version, force);
  // A card without UID got a content-derived one; once the content changes it must be written down,
  // or the contact would get a new identity on the next read.
  if (!firstProp(card, 'UID') && isModified(card)) card.items.splice(1, 0, makeProperty('UID', data.uid));
  return componentToString(card);
}
