// A deterministic mailbox for the UI benchmark: the same messages go into Pimlico's store and, as
// RFC 5322 files, into a Maildir for notmuch, so both tools search exactly the same mail.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

const FIRST = 'alice bob carol dave erin frank grace heidi ivan judy mallory niaj olivia peggy rupert sybil trent victor walter xena yusuf zoe'.split(' ');
const LAST = 'smith jones hopper lovelace turing knuth ritchie thompson liskov hamilton wu chen garcia novak okafor silva tanaka ivanova'.split(' ');
const TOPICS = 'budget meeting invoice quarterly report launch deadline project phoenix review contract hiring roadmap offsite travel expenses security incident release design feedback'.split(' ');

/** A vocabulary of pronounceable made-up words, so the index has a realistic number of distinct terms. */
function vocabulary(rand: () => number, size: number): string[] {
  const c = 'bcdfghjklmnprstvwz';
  const v = 'aeiou';
  const out = new Set<string>();
  while (out.size < size) {
    const syllables = 2 + Math.floor(rand() * 3);
    let w = '';
    for (let i = 0; i < syllables; i++) w += c[Math.floor(rand() * c.length)]! + v[Math.floor(rand() * v.length)]!;
    out.add(w);
  }
  return [...out];
}

export interface BenchMessage {
  index: number;
  folder: 'Inbox' | 'Archive';
  fromName: string;
  fromAddress: string;
  to: { name: string; address: string }[];
  cc: { name: string; address: string }[];
  subject: string;
  body: string;
  date: number;
  isRead: boolean;
  isFlagged: boolean;
  attachment: { filename: string; content: Buffer } | null;
  messageId: string;
}

const START = Date.UTC(2024, 6, 1);
const SPAN = Date.UTC(2026, 6, 1) - START;

export function* generate(count: number, seed = 42): Generator<BenchMessage> {
  const rand = rng(seed);
  const words = vocabulary(rand, 20_000);
  // Zipf-like: a few words are everywhere, most are rare, as in real mail.
  const word = () => (rand() < 0.06 ? TOPICS[Math.floor(rand() * TOPICS.length)]! : words[Math.floor(words.length * rand() ** 3)]!);
  const person = (i: number) => {
    const f = FIRST[i % FIRST.length]!;
    const l = LAST[Math.floor(i / FIRST.length) % LAST.length]!;
    return { name: `${f[0]!.toUpperCase()}${f.slice(1)} ${l[0]!.toUpperCase()}${l.slice(1)}`, address: `${f}.${l}@example.org` };
  };
  for (let i = 0; i < count; i++) {
    const sender = person(Math.floor(rand() * FIRST.length * LAST.length));
    const special = i % 997 === 0 ? ' zanzibar' : '';
    const subjectWords = Array.from({ length: 4 + Math.floor(rand() * 5) }, word).join(' ');
    const sentences: string[] = [];
    const bodyWords = 40 + Math.floor(rand() * 120);
    let line: string[] = [];
    for (let w = 0; w < bodyWords; w++) {
      line.push(word());
      if (line.length >= 12) {
        sentences.push(line.join(' '));
        line = [];
      }
    }
    if (line.length) sentences.push(line.join(' '));
    if (rand() < 0.02) sentences.push('the quarterly report is attached');
    if (rand() < 0.01) sentences.push('update on project phoenix');
    const to = [{ name: 'Bob Me', address: 'bob@pimlico.test' }];
    const cc = rand() < 0.2 ? [person(Math.floor(rand() * 400))] : [];
    yield {
      index: i,
      folder: rand() < 0.3 ? 'Archive' : 'Inbox',
      fromName: sender.name,
      fromAddress: sender.address,
      to,
      cc,
      subject: `${subjectWords}${special}`,
      body: sentences.join('\n'),
      date: START + Math.floor((SPAN * i) / count) + Math.floor(rand() * 60_000),
      isRead: rand() < 0.85,
      isFlagged: rand() < 0.03,
      attachment: rand() < 0.05 ? { filename: `scan-${i}.pdf`, content: Buffer.from(`%PDF-1.4 bench ${i}\n`) } : null,
      messageId: `<ui-bench-${i}@example.org>`,
    };
  }
}

const fmt = (a: { name: string; address: string }) => `${a.name} <${a.address}>`;

/** The message as a file in Maildir (flags in the name, as notmuch reads them). */
export function writeMaildirMessage(root: string, m: BenchMessage): void {
  const dir = join(root, m.folder, 'cur');
  const head = [
    `From: ${fmt({ name: m.fromName, address: m.fromAddress })}`,
    `To: ${m.to.map(fmt).join(', ')}`,
    ...(m.cc.length ? [`Cc: ${m.cc.map(fmt).join(', ')}`] : []),
    `Subject: ${m.subject}`,
    `Date: ${new Date(m.date).toUTCString()}`,
    `Message-ID: ${m.messageId}`,
    'MIME-Version: 1.0',
  ];
  let raw: string;
  if (m.attachment) {
    const b = `b${m.index}`;
    raw = [
      ...head,
      `Content-Type: multipart/mixed; boundary="${b}"`,
      '',
      `--${b}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      m.body,
      `--${b}`,
      `Content-Type: application/pdf; name="${m.attachment.filename}"`,
      `Content-Disposition: attachment; filename="${m.attachment.filename}"`,
      'Content-Transfer-Encoding: base64',
      '',
      m.attachment.content.toString('base64'),
      `--${b}--`,
      '',
    ].join('\r\n');
  } else raw = [...head, 'Content-Type: text/plain; charset=utf-8', '', m.body, ''].join('\r\n');
  const flags = `${m.isFlagged ? 'F' : ''}${m.isRead ? 'S' : ''}`;
  writeFileSync(join(dir, `${m.date}.${m.index}.bench:2,${flags}`), raw);
}

export function makeMaildir(root: string): void {
  for (const f of ['Inbox', 'Archive']) for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(root, f, sub), { recursive: true });
}
