import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TokenCommandSource, authorityFor } from '../../../src/main/core/providers/graph/auth';
import { tempDir } from '../../support/core';

function jwt(expSeconds: number): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ exp: expSeconds, aud: 'https://graph.microsoft.com' })}.sig`;
}

/** A token command that counts its runs in a file and prints the given token. */
function countingCommand(token: string): { command: string; runs: () => number } {
  const dir = tempDir('pimlico-token-cmd-');
  const counter = join(dir, 'runs');
  writeFileSync(counter, '');
  writeFileSync(join(dir, 'token'), token);
  return { command: `echo run >> "${counter}"; cat "${join(dir, 'token')}"`, runs: () => readFileSync(counter, 'utf8').split('\n').filter(Boolean).length };
}

describe('Graph sign-in pieces', () => {
  it('caches a JWT from the token command until a minute before it expires', async () => {
    const now = Date.now();
    const long = countingCommand(jwt(Math.floor(now / 1000) + 3600));
    const source = new TokenCommandSource(long.command, () => now);
    await source.token();
    await source.token();
    expect(long.runs()).toBe(1);
    source.invalidate(); // Graph answered 401
    await source.token();
    expect(long.runs()).toBe(2);

    const short = countingCommand(jwt(Math.floor(now / 1000) + 30));
    const soon = new TokenCommandSource(short.command, () => now);
    await soon.token();
    await soon.token();
    expect(short.runs()).toBe(2);
  });

  it('runs one command for concurrent callers and rejects output that is not one token', async () => {
    const cmd = countingCommand('opaque-token');
    const source = new TokenCommandSource(cmd.command);
    expect(await Promise.all([source.token(), source.token(), source.token()])).toEqual(['opaque-token', 'opaque-token', 'opaque-token']);
    expect(cmd.runs()).toBe(1);
    await expect(new TokenCommandSource('printf "two words"').token()).rejects.toThrow(/no access token/);
    await expect(new TokenCommandSource('echo oops >&2; exit 2').token()).rejects.toThrow(/token command failed.*oops/);
  });

  it('signs in at the national cloud the Graph URL belongs to', () => {
    expect(authorityFor('https://graph.microsoft.com/v1.0', undefined)).toBeUndefined();
    expect(authorityFor('https://graph.microsoft.us/v1.0', undefined)).toBe('https://login.microsoftonline.us/common');
    expect(authorityFor('https://microsoftgraph.chinacloudapi.cn/v1.0', undefined)).toBe('https://login.chinacloudapi.cn/common');
    expect(authorityFor('https://graph.microsoft.com/v1.0', 'https://login.microsoftonline.com/contoso.onmicrosoft.com')).toBe('https://login.microsoftonline.com/contoso.onmicrosoft.com');
  });
});
