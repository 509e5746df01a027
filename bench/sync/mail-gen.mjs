// Generated mail for the sync benchmark: deterministic, realistic mix of sizes and structures.
const USER = 'bob@pimlico.test';

// ---- realistic-ish mail: mostly short text, some HTML newsletters, a few with attachments

export function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}
const WORDS = 'the of and to in is that for it as was with be by on not he this are or his from at which but have an they you were her she there been one all we their has would when if so no out up into them can more some time only new about could my these than first been other people like any then now over such our also what make after just see most two way even work back because very good through'.split(' ');
function text(rand, words) {
  const out = [];
  for (let i = 0; i < words; i++) out.push(WORDS[Math.floor(rand() * WORDS.length)]);
  return out.join(' ').replace(/(([^ ]+ ){12})/g, '$1\n');
}
export function message(i, rand, date) {
  const kind = rand();
  const from = `sender${i % 97}@example.org`;
  const id = `<bench-${i}-${Math.floor(rand() * 1e9)}@example.org>`;
  const head = [
    `Return-Path: <${from}>`,
    `Received: from mx.example.org by mail.pimlico.test; ${date.toUTCString()}`,
    `From: Sender ${i % 97} <${from}>`,
    `To: Bob <${USER}>`,
    `Subject: Message ${i}: ${text(rand, 6).replace(/\n/g, '')}`,
    `Date: ${date.toUTCString()}`,
    `Message-ID: ${id}`,
    'MIME-Version: 1.0',
  ];
  if (kind < 0.75) {
    return [...head, 'Content-Type: text/plain; charset=utf-8', '', text(rand, 300 + Math.floor(rand() * 1200)), ''].join('\r\n');
  }
  const boundary = `b${i}`;
  const body = text(rand, 800 + Math.floor(rand() * 4000));
  const html = `<html><body><table><tr><td><p>${body.replace(/\n/g, '</p><p>')}</p></td></tr></table></body></html>`;
  const parts = [
    `--${boundary}`,
    'Content-Type: multipart/alternative; boundary="alt' + i + '"',
    '',
    `--alt${i}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
    `--alt${i}`,
    'Content-Type: text/html; charset=utf-8',
    '',
    html,
    `--alt${i}--`,
  ];
  if (kind > 0.95) {
    const size = (50_000 + Math.floor(rand() * 250_000)) & ~3;
    const bytes = Buffer.alloc(size);
    for (let k = 0; k < size; k += 4) bytes.writeUInt32LE(Math.floor(rand() * 2 ** 32), k);
    parts.push(`--${boundary}`, 'Content-Type: application/pdf; name="report.pdf"', 'Content-Disposition: attachment; filename="report.pdf"', 'Content-Transfer-Encoding: base64', '', bytes.toString('base64').replace(/(.{76})/g, '$1\r\n'));
  }
  parts.push(`--${boundary}--`, '');
  return [...head, `Content-Type: multipart/mixed; boundary="${boundary}"`, '', ...parts].join('\r\n');
}

