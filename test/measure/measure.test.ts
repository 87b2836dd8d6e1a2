/**
 * `push-manifest measure` in real headless Chromium (Debian's), small RTTs to keep it short:
 * the waterfall fixture gains with its default manifest and `--learn` finds what the crawl cannot
 * see; against a server that hints a font without `crossorigin` the font is fetched twice; a page
 * that never answers is reported while the others are measured; bad input is exit 2.
 */
import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http2 from 'node:http2';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDevCertificate } from '../../packages/cli/src/dev-certificate.js';
import { runCli } from '../cli/helpers.js';

const fixture = fileURLToPath(new URL('../../fixtures/sites/waterfall', import.meta.url));
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript', '.woff2': 'font/woff2', '.png': 'image/png' };

describe('push-manifest measure', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pm-measure-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('measures the waterfall fixture: both variants, no duplicates, the hero image and the modules learned', { timeout: 120_000 }, async () => {
    const report = join(dir, 'measure.html');
    const result = await runCli(['measure', '--root', fixture, '--runs', '2', '--rtt', '40', '--down', '4000', '--learn', '--json', '--report', report]);
    expect(result.code, result.stderr).toBe(0);
    const data = JSON.parse(result.stdout);
    expect(data).toMatchObject({ rttMs: 40, runs: 2 });
    const page = data.pages[0];
    expect(page.page).toBe('/index.html');
    expect(page.hinted.lcp).toBeGreaterThan(0);
    expect(page.plain.lcp).toBeGreaterThan(0);
    // The gain itself is asserted in the --write test, with the LCP image hinted and a larger RTT:
    // with only the sheets and the font hinted it is one RTT of 40 ms, within the noise of a busy machine.
    expect(page.gain).toEqual({ lcp: expect.any(Number), lcpRtt: expect.any(Number), fcp: expect.any(Number), fcpRtt: expect.any(Number) });
    expect(page.hinted.lcpUrl).toBe('/img/hero.png');
    expect(page.hinted.duplicates).toEqual([]);
    expect(page.unusedHints).toEqual([]);
    const learned = page.learned.map((l: { url: string }) => l.url);
    expect(learned).toContain('/img/hero.png');
    // A static import is followed by the default manifest, so it is hinted, not learned.
    expect(learned).not.toContain('/js/label.js');
    // Imported by a computed name: no crawl sees it. (The bandwidth limit keeps the LCP after its request.)
    expect(learned).toContain('/js/widget.js');
    expect(page.learned.find((l: { url: string }) => l.url === '/img/hero.png')).toEqual({ url: '/img/hero.png', type: 'image' });
    expect(page.learned.find((l: { url: string }) => l.url === '/js/widget.js')).toMatchObject({ type: 'script', rel: 'modulepreload', crossorigin: 'anonymous' });
    // Render-critical and unhinted: the LCP image.
    expect(page.unhinted.map((u: { url: string }) => u.url)).toContain('/img/hero.png');
    // Every request carries its timing and initiator.
    for (const r of page.hinted.requests) {
      expect(r.end).toBeGreaterThanOrEqual(r.start);
      expect(typeof r.via).toBe('string');
    }
    const html = readFileSync(report, 'utf8');
    expect(html.match(/<svg class="waterfall"/g)?.length).toBe(4);
    expect(html).toContain('Measured in Chromium');
  });

  it('--learn --write adds the learned files to the manifest, measures a positive LCP gain, and generate keeps them', { timeout: 240_000 }, async () => {
    const site = join(dir, 'site');
    cpSync(fixture, site, { recursive: true });
    // 150 ms: with the hero hinted the gain is two round trips (300 ms), well above what a loaded
    // machine's rendering delays add to one load or another.
    const result = await runCli(['measure', '--root', site, '--runs', '3', '--rtt', '150', '--learn', '--write', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const data = JSON.parse(result.stdout);
    expect(data.pages[0].afterLearn.hinted.lcp).toBeGreaterThan(0);
    expect(data.pages[0].afterLearn.gain.lcp, JSON.stringify(data.pages[0].afterLearn)).toBeGreaterThan(0);
    expect(data.pages[0].afterLearn.duplicates).toEqual([]);
    const manifestFile = join(site, 'push-manifest.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    expect(manifest['/img/hero.png']).toMatchObject({ type: 'image', learned: true });
    expect(manifest['/css/main.css'].learned).toBeUndefined();
    // A later generate keeps what was learned.
    const generated = await runCli(['generate', '--root', site]);
    expect(generated.code, generated.stderr).toBe(0);
    expect(generated.stderr).toMatch(/kept \d+ learned/);
    const again = JSON.parse(readFileSync(manifestFile, 'utf8'));
    expect(again['/img/hero.png']).toMatchObject({ type: 'image', learned: true });
    expect(again['/css/main.css']).toBeDefined();
  });

  describe('against a running server', () => {
    let server: http2.Http2SecureServer;
    let origin: string;
    beforeAll(async () => {
      const tls = await makeDevCertificate('127.0.0.1');
      server = http2.createSecureServer({ ...tls, allowHTTP1: false });
      server.on('stream', (stream, headers) => {
        stream.on('error', () => undefined);
        const path = String(headers[':path']).split('?')[0]!;
        if (path === '/hang') return; // never answers
        const file = join(fixture, path === '/' ? 'index.html' : path);
        if (!existsSync(file) || !file.startsWith(fixture)) {
          stream.respond({ ':status': 404 });
          stream.end();
          return;
        }
        const extra: Record<string, string> = {};
        // The planted mistake: a font preload without crossorigin, which the font request cannot reuse.
        if (path === '/') extra.link = '</css/main.css>; rel=preload; as=style, </fonts/open-sans-regular.woff2>; rel=preload; as=font';
        stream.respond({ ':status': 200, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', ...extra });
        stream.end(readFileSync(file));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
      origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        setTimeout(resolve, 500);
      });
    });

    it('sees the font fetched twice, and reports the page that never loads while measuring the other', { timeout: 90_000 }, async () => {
      const result = await runCli(['measure', `${origin}/`, '--pages', '/,/hang', '--runs', '1', '--rtt', '20', '--timeout', '4000', '--json']);
      expect(result.code, result.stderr).toBe(1);
      const data = JSON.parse(result.stdout);
      const [front, hang] = data.pages;
      expect(front.page).toBe('/');
      expect(front.error).toBeUndefined();
      expect(front.hinted.duplicates).toEqual(['/fonts/open-sans-regular.woff2']);
      // Stripped by the proxy: the plain variant has no hint, so no duplicate.
      expect(front.plain.duplicates).toEqual([]);
      expect(hang.page).toBe('/hang');
      expect(hang.error).toMatch(/timeout/i);
      expect(result.stderr).toMatch(/\/hang: not measured/);
      expect(result.stderr).toMatch(/fetched twice with hints: \/fonts\/open-sans-regular\.woff2/);
    });
  });

  it('an unreachable URL, --runs 0 and a missing browser are exit 2 with one clear line', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const unreachable = await runCli(['measure', `https://127.0.0.1:${port}/`, '--runs', '1']);
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toMatch(/not reachable/);
    const zero = await runCli(['measure', '--root', fixture, '--runs', '0']);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(/--runs must be a positive whole number/);
    const noBrowser = await runCli(['measure', '--root', fixture, '--browser', join(dir, 'no-chromium')]);
    expect(noBrowser.code).toBe(2);
    expect(noBrowser.stderr).toMatch(/no executable there \(install Chromium/);
  });
});
