import { beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

vi.mock('electron', () => import('./electron-fake'));

import { protocol } from './electron-fake';
import { RENDERER_CSP } from '../../../src/shared/csp';
import { handleAppProtocol, registerAppScheme, resolveRendererFile } from '../../../src/main/protocol';
import { tempDir } from '../../support/core';

let dir: string;
let outsideFile: string;

beforeAll(() => {
  const base = tempDir();
  dir = join(base, 'renderer');
  mkdirSync(join(dir, 'assets'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Pimlico</title>');
  writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)');
  outsideFile = join(base, 'secret.txt');
  writeFileSync(outsideFile, 'outside the renderer');
});

describe('app:// URL to file', () => {
  it('serves the renderer’s files and routes extensionless paths to index.html', () => {
    expect(resolveRendererFile(dir, 'app://pimlico/')).toBe(join(dir, 'index.html'));
    expect(resolveRendererFile(dir, 'app://pimlico/assets/app.js')).toBe(join(dir, 'assets', 'app.js'));
    expect(resolveRendererFile(dir, 'app://pimlico/mail/inbox')).toBe(join(dir, 'index.html'));
  });

  it.each([
    'app://pimlico/../secret.txt',
    'app://pimlico/%2e%2e/secret.txt',
    'app://pimlico/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
    'app://pimlico/..%5csecret.txt',
    'app://pimlico/assets/%00.js',
    'app://other/index.html',
    'file:///etc/passwd',
    'app://pimlico/%E0%A4%A',
  ])('never leaves the renderer folder for %s', (url) => {
    const file = resolveRendererFile(dir, url);
    // Either refused, or (after the URL parser folded the dots) a path inside the renderer folder.
    if (file !== null) expect(file.startsWith(dir + '/')).toBe(true);
    expect(file).not.toBe(outsideFile);
  });

  it('refuses other hosts, other schemes and encoded separators outright', () => {
    expect(resolveRendererFile(dir, 'app://other/index.html')).toBeNull();
    expect(resolveRendererFile(dir, 'file:///etc/passwd')).toBeNull();
    expect(resolveRendererFile(dir, 'app://pimlico/..%5csecret.txt')).toBeNull();
    expect(resolveRendererFile(dir, 'app://pimlico/assets/%2e%2e%2f%2e%2e%2fsecret.txt')).toBeNull();
    expect(resolveRendererFile(dir, 'app://pimlico/assets/%00.js')).toBeNull();
  });
});

describe('the app:// handler', () => {
  it('is a privileged, secure, standard scheme', () => {
    registerAppScheme();
    expect(protocol.privileged).toContainEqual({ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } });
  });

  it('answers with the shared strict CSP on pages and on refusals', async () => {
    handleAppProtocol(dir);
    const handler = protocol.handlers.get('app')!;
    const page = await handler(new Request('app://pimlico/'));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Pimlico</title>');
    expect(page.headers.get('Content-Security-Policy')).toBe(RENDERER_CSP);
    expect(page.headers.get('X-Content-Type-Options')).toBe('nosniff');
    const outside = await handler(new Request('app://pimlico/%2e%2e/secret.txt'));
    expect(outside.status).toBe(404);
    expect(await outside.text()).not.toContain('outside the renderer');
    expect(outside.headers.get('Content-Security-Policy')).toBe(RENDERER_CSP);
    expect((await handler(new Request('app://pimlico/missing.js'))).status).toBe(404);
  });

  it('keeps the CSP strict: no inline or remote script, no plugins, no framing', () => {
    expect(RENDERER_CSP).toContain("script-src 'self'");
    expect(RENDERER_CSP).not.toMatch(/script-src[^;]*(unsafe-inline|unsafe-eval|https?:|\*)/);
    expect(RENDERER_CSP).toContain("object-src 'none'");
    expect(RENDERER_CSP).toContain("frame-ancestors 'none'");
    expect(RENDERER_CSP).toContain("default-src 'self'");
  });
});
