/**
 * The CLI side of the format rules (issue 8): `auto` picks single only for a one-page site, the
 * one-line warning when a legacy format leaves hints out, `v1` keeping them, and old
 * `"type": ""` files: read with a warning by `convert` and `serve`, reported by `validate`.
 */
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifestFixture, runCli } from './helpers.js';
import { startServe } from '../helpers/serve-process.js';

const fixtures = new URL('../../fixtures/sites', import.meta.url).pathname;

describe('generate --format auto', () => {
  it('writes multi for one page of a many-page site, and says why', async () => {
    const result = await runCli(['generate', 'index.html', '--root', join(fixtures, 'multi-page'), '--out', '-', '--no-cache']);
    expect(result.code).toBe(0);
    expect(Object.keys(JSON.parse(result.stdout) as object)).toEqual(['index.html']);
    expect(result.stderr).toMatch(/format: multi \(the site has \d+ pages; single would apply this page's hints to every one of them\)/);
  });

  it('writes single for a one-page site', async () => {
    const root = mkdtempSync(join(tmpdir(), 'pm-one-page-'));
    writeFileSync(join(root, 'index.html'), '<link rel=stylesheet href=/a.css>');
    writeFileSync(join(root, 'a.css'), 'body{}');
    const result = await runCli(['generate', '--root', root, '--out', '-', '--no-cache']);
    expect(JSON.parse(result.stdout)).toEqual({ '/a.css': { type: 'style', weight: 256 } });
  });
});

describe('what a legacy format leaves out', () => {
  it('generate warns in one line naming v1, and --format v1 keeps the preconnect hints', async () => {
    const legacy = await runCli(['generate', '--root', join(fixtures, 'edge-cases'), '--out', '-', '--no-cache']);
    expect(legacy.stderr.split('\n').filter((line) => line.includes('left out'))).toHaveLength(1);
    expect(legacy.stdout).not.toContain('preconnect');
    const v1 = await runCli(['generate', '--root', join(fixtures, 'edge-cases'), '--out', '-', '--no-cache', '--format', 'v1']);
    expect(v1.stderr).not.toContain('left out');
    const json = JSON.parse(v1.stdout) as { 'push-manifest': number; pages: Record<string, { preconnect?: unknown }> };
    expect(json['push-manifest']).toBe(1);
    expect(json.pages['/index.html']?.preconnect).toEqual([{ origin: 'https://fonts.example.com' }, { origin: 'https://cdn.example.net' }]);
  });

  it('convert v1 → multi warns the same way; multi → v1 does not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pm-convert-v1-'));
    const v1 = join(dir, 'v1.json');
    writeFileSync(v1, JSON.stringify({ 'push-manifest': 1, pages: { '/index.html': { resources: { '/p.css': { type: 'style', media: 'print' } }, preconnect: [{ origin: 'https://f.example', crossorigin: 'anonymous' }] } } }));
    const multi = await runCli(['convert', v1, '--format', 'multi']);
    expect(multi.code).toBe(0);
    expect(JSON.parse(multi.stdout)).toEqual({ 'index.html': {} });
    expect(multi.stderr).toContain('the multi format left out 1 preconnect hint, 1 media-conditional resource');
    const back = await runCli(['convert', manifestFixture('http2-push-manifest/multi.json'), '--format', 'v1']);
    expect(back.stderr).not.toContain('left out');
  });
});

describe('an old file with "type": ""', () => {
  const file = manifestFixture('http2-push-manifest/untyped.json');

  it('validate reports each entry and exits 1', async () => {
    const result = await runCli(['validate', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('"/img/hero.jpeg" → type: "" is not a preload type; read as "image" from the extension');
    expect(result.stderr).toContain('"/api/endpoint" → type: "" is not a preload type and the extension does not tell one; entry dropped');
  });

  it('convert reads it with a warning per entry', async () => {
    const result = await runCli(['convert', file, '--format', 'single']);
    expect(result.code).toBe(0);
    expect(Object.keys(JSON.parse(result.stdout) as object)).toEqual(['/css/app.css', '/img/hero.jpeg', '/js/app.mjs?v=2', '/fonts/body.ttf']);
    expect(result.stderr.split('\n').filter((line) => line.includes('is not a preload type'))).toHaveLength(5);
  });

  it('serve starts on it and logs the repairs', async () => {
    const root = mkdtempSync(join(tmpdir(), 'pm-serve-untyped-'));
    cpSync(join(fixtures, 'basic'), root, { recursive: true });
    cpSync(file, join(root, 'push-manifest.json'));
    const serve = await startServe([root, '--port', '0', '--h2c']);
    try {
      expect(serve.stderr()).toContain('"/api/endpoint" → type: "" is not a preload type and the extension does not tell one; entry dropped');
    } finally {
      await serve.stop();
    }
  });
});
