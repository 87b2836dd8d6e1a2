/**
 * The Vite plugin's manifest against headless Chromium (Debian's, driven by playwright-core), on
 * the fixture app built by Vite 8: every file listed for a page is one Chromium fetches for it
 * (loaded from a plain server, without hints), and with the hints (`vite preview` sending the
 * Link headers) no file is fetched twice, so each hint's `as` and CORS mode match the real request.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as vite from 'vite';
import pushManifest from '@push-manifest/vite';
import { readManifestJson, type Manifest } from '@push-manifest/core';
import { APP, tempDir } from './apps.js';

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript', '.woff2': 'font/woff2' };

let temp: Awaited<ReturnType<typeof tempDir>>;
let dist: string;
let manifest: Manifest;
let browser: Browser;

beforeAll(async () => {
  temp = await tempDir('vite-chromium');
  dist = join(temp.dir, 'dist');
  const input = { index: join(APP, 'index.html'), about: join(APP, 'about.html') };
  await vite.build({ root: APP, configFile: false, logLevel: 'error', cacheDir: join(temp.dir, 'cache'), build: { outDir: dist, rolldownOptions: { input } }, plugins: [pushManifest()] });
  manifest = readManifestJson(JSON.parse(await readFile(join(dist, 'push-manifest.json'), 'utf8')), { file: 'push-manifest.json' }).manifest;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS, headless: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await temp?.cleanup();
});

/** A plain static server for the build: no hints. */
async function plainServer(): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    void readFile(join(dist, path === '/' ? 'index.html' : decodeURIComponent(path))).then(
      (body) => res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Same-origin requests Chromium makes loading a page in a fresh context (no cache): path → count. */
async function fetches(origin: string, route: string): Promise<Map<string, number>> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const seen = new Map<string, number>();
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.origin === origin) seen.set(url.pathname, (seen.get(url.pathname) ?? 0) + 1);
  });
  try {
    await page.goto(origin + route, { waitUntil: 'networkidle', timeout: 15_000 });
    // Fonts load when layout needs them (a string: the tests are type-checked without the DOM library).
    await page.evaluate('(async () => { void document.body.offsetHeight; await document.fonts.ready; })()');
    await page.waitForLoadState('networkidle');
  } finally {
    await context.close();
  }
  seen.delete(route);
  return seen;
}

describe('Vite plugin manifest vs headless Chromium', () => {
  it('lists only files Chromium fetches for the page', async () => {
    const { server, origin } = await plainServer();
    try {
      for (const route of ['/index.html', '/about.html']) {
        const fetched = await fetches(origin, route);
        const listed = manifest.pages.get(route)!.map((r) => r.url);
        expect(listed.length).toBeGreaterThan(3);
        for (const url of listed) expect(fetched.has(url), `${route}: ${url} listed but not fetched (fetched: ${[...fetched.keys()].join(', ')})`).toBe(true);
        // And the other way: what the first render fetches is what the manifest lists (no lazy chunk was fetched).
        expect([...fetched.keys()].sort()).toEqual([...listed].sort());
      }
    } finally {
      server.close();
    }
  });

  it('with the Link headers of vite preview, nothing is fetched twice', async () => {
    const server = await vite.preview({ root: APP, configFile: false, logLevel: 'error', build: { outDir: dist }, preview: { port: 0, host: '127.0.0.1' }, plugins: [pushManifest()] });
    try {
      const origin = `http://127.0.0.1:${(server.httpServer.address() as AddressInfo).port}`;
      const probe = await fetch(`${origin}/about.html`);
      expect(probe.headers.get('link')).toContain('rel=preload; as=font; crossorigin');
      await probe.arrayBuffer();
      for (const route of ['/index.html', '/about.html']) {
        const fetched = await fetches(origin, route);
        for (const { url } of manifest.pages.get(route)!) expect(fetched.get(url), `${route}: ${url}`).toBe(1);
      }
    } finally {
      await server.close();
    }
  });
});
