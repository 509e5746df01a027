#!/usr/bin/env node
// Runs Doyensec's electronegativity over src/ and fails on any finding that .electronegativity.json
// does not explain (and on explanations that no longer match a finding, so the list stays true).
// Usage: node scripts/check-electron.mjs
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const config = JSON.parse(readFileSync(join(root, '.electronegativity.json'), 'utf8'));
const electronVersion = JSON.parse(readFileSync(require.resolve('electron/package.json', { paths: [root] }), 'utf8')).version;
const cli = join(dirname(require.resolve('@doyensec/electronegativity/package.json', { paths: [root] })), 'dist', 'index.js');

/** RFC 4180 CSV, as electronegativity writes it ("" escapes a quote). */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field.trim());
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field.trim());
      if (row.some((f) => f !== '')) rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  row.push(field.trim());
  if (row.some((f) => f !== '')) rows.push(row);
  return rows;
}

const outDir = mkdtempSync(join(tmpdir(), 'electronegativity-'));
const csv = join(outDir, 'findings.csv');
try {
  // electronegativity's CSV writes race with each other on a busy machine and can come out mangled
  // (fields of one row run into the next); such a file is not a result, so the scan is run again.
  let header = [];
  let rows = [];
  let iIssue = -1;
  for (let attempt = 1; ; attempt++) {
    rmSync(csv, { force: true });
    execFileSync(
      process.execPath,
      [cli, '--input', join(root, 'src'), '--relative', '--electron-version', electronVersion, '--exclude-checks', config.excludedChecks.map((c) => c.check).join(','), '--output', csv, '--verbose', 'false'],
      { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    [header = [], ...rows] = parseCsv(readFileSync(csv, 'utf8'));
    iIssue = header.findIndex((h) => h.toLowerCase() === 'issue');
    const wellFormed = iIssue !== -1 && rows.every((r) => r.length === header.length && /^[A-Z0-9_]+$/.test(r[iIssue] ?? ''));
    if (wellFormed) break;
    if (attempt === 3) throw new Error(`electronegativity wrote a malformed report three times (${csv})`);
    console.error(`electronegativity wrote a malformed report; scanning again (attempt ${attempt + 1})`);
  }
  const col = (name) => header.findIndex((h) => h.toLowerCase() === name);
  const [iFile, iLocation, iSample] = ['filename', 'location', 'sample'].map(col);
  const findings = rows.map((r) => ({ check: r[iIssue], file: r[iFile], location: r[iLocation], sample: r[iSample] }));

  const used = new Set();
  const unexplained = [];
  for (const f of findings) {
    const i = config.accepted.findIndex((a) => a.check === f.check && a.file === f.file && (a.sample === null || (f.sample ?? '').includes(a.sample)));
    if (i === -1) unexplained.push(f);
    else used.add(i);
  }
  const stale = config.accepted.filter((_a, i) => !used.has(i));

  for (const f of unexplained) console.error(`UNEXPLAINED ${f.check} ${f.file}:${f.location}  ${f.sample}`);
  for (const a of stale) console.error(`STALE explanation (no such finding any more): ${a.check} ${a.file} "${a.sample}"`);
  console.log(
    `electronegativity ${electronVersion ? `(Electron ${electronVersion})` : ''}: ${findings.length} findings, ${findings.length - unexplained.length} explained in .electronegativity.json, ${unexplained.length} unexplained, ${stale.length} stale; checks skipped: ${config.excludedChecks.map((c) => c.check).join(', ')}`,
  );
  process.exitCode = unexplained.length || stale.length ? 1 : 0;
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
