import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseMessage } from '../../../src/main/core/mime';
import { ParsePool } from '../../../src/main/core/mime/pool';

const FIXTURES = join(__dirname, '../../fixtures/mime');
const fixtures = readdirSync(FIXTURES).sort();

describe('ParsePool (MIME parsing on worker threads)', () => {
  const pool = new ParsePool({ size: 2 });
  afterAll(() => pool.close());

  it('parses every MIME fixture on the workers exactly as parseMessage does in-process', async () => {
    expect(fixtures.length).toBeGreaterThan(10);
    expect(pool.threaded).toBe(true);
    // All at once, so both workers take a share.
    const raws = fixtures.map((f) => readFileSync(join(FIXTURES, f)));
    const viaPool = await Promise.all(raws.map((raw) => pool.parse(raw)));
    for (const [i, raw] of raws.entries()) {
      const inProcess = await parseMessage(raw);
      expect({ fixture: fixtures[i], parsed: viaPool[i] }).toEqual({ fixture: fixtures[i], parsed: inProcess });
    }
    expect(pool.parsedInWorkers).toBe(fixtures.length);
  });

  it('parses a view into a larger buffer as just that message, and leaves the caller its bytes', async () => {
    const raw = readFileSync(join(FIXTURES, 'mixed-attachments.eml'));
    const padded = Buffer.concat([Buffer.from('junk before\r\n'), raw, Buffer.from('\r\njunk after')]);
    const view = padded.subarray(13, 13 + raw.length);
    const parsed = await pool.parse(view);
    expect(parsed).toEqual(await parseMessage(raw));
    expect(Buffer.compare(view, raw)).toBe(0);
  });

  it('still parses after close (in-process) and with no workers', async () => {
    const raw = readFileSync(join(FIXTURES, 'plain.eml'));
    const inProcess = new ParsePool({ size: 0 });
    expect(inProcess.threaded).toBe(false);
    expect(await inProcess.parse(raw)).toEqual(await parseMessage(raw));
    const closing = new ParsePool({ size: 1 });
    await closing.close();
    expect(await closing.parse(raw)).toEqual(await parseMessage(raw));
  });
});
