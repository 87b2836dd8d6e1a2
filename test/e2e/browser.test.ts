/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Code passed to page.evaluate runs in the page: it needs the DOM types.
/**
 * Headless Chromium (Debian's, driven by playwright-core) against the push server. Chromium sends
 * SETTINGS_ENABLE_PUSH=0, so this proves the 103 Early Hints / Link path; pushes are proved by
 * nghttp and Node's client (serve.test.ts). The page's response is held back 1.5 s after the 103,
 * like a slow application: the hinted CSS, font and module must be requested in that window,
 * i.e. while the HTML is still in flight, and the font exactly once (the preload is reused).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPushServer, type PushServer, type RequestLogEntry } from '@push-manifest/core/runtime';
import { makeDevCertificate } from '../../packages/cli/src/dev-certificate.js';
import { withPinnedChromium } from '../helpers/chromium.js';

const fixture = fileURLToPath(new URL('../../fixtures/serve', import.meta.url));
const HINTED = ['/css/app.css', '/fonts/open-sans-300.woff2', '/js/main.js'];
const HTML_DELAY_MS = 1500;

// Chromium trusts our self-signed certificate by its key (SPKI pin, test/helpers/chromium.ts)
// instead of ignoring certificate errors: it does not cache responses from a host with a
// certificate error, and Early Hints preloads reach the page through the HTTP cache, so with
// errors merely ignored every hinted file is fetched a second time.
describe('Chromium loading a page from the push server', () => {
  const log: RequestLogEntry[] = [];
  let server: PushServer;
  let cert: string;
  let keyPem: string;

  beforeAll(async () => {
    const tls = await makeDevCertificate('127.0.0.1');
    cert = tls.cert;
    keyPem = tls.key;
    server = await createPushServer({
      root: fixture,
      manifestPath: join(fixture, 'push-manifest.json'),
      tls,
      onRequest: (entry) => log.push(entry),
      delayResponse: (path) => (path === '/' ? HTML_DELAY_MS : 0),
      // 30 ms of "network" before the 103: on loopback under CPU load, Chromium now and then
      // ignored a 103 that followed the request within microseconds (about 1 run in 10; none in
      // 22 runs with this latency). Real networks never deliver a 103 that fast.
      delayRequest: (path) => (path === '/' ? 30 : 0),
      log: () => undefined,
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('requests the hinted CSS, font and module while the HTML is in flight, and the font once', async () => {
    const state = await withPinnedChromium(cert, async (context) => {
      const page = await context.newPage();
      // A first navigation to a page with no subresources: sets up the connection, certificate
      // check and cache of the fresh profile, so the measured navigation is not also the first one.
      await page.goto(`${server.url}/warm-up`, { waitUntil: 'load' });
      await page.goto(`${server.url}/`, { waitUntil: 'load' });
      return page.evaluate(async () => {
        await document.fonts.ready;
        return {
          moduleRan: document.documentElement.dataset.moduleRan,
          fonts: [...document.fonts].map((f) => `${f.family}:${f.status}`),
          color: getComputedStyle(document.querySelector('.styled')!).color,
        };
      });
    });
    // On failure, say what the server saw.
    const seen = `${log.map((e) => `${e.event} ${e.path} ${Math.round(e.at)}${e.status ? ` ${e.status}` : ''}`).join('; ')}; stats ${JSON.stringify(server.handler.stats())}`;
    // The page really used what was hinted.
    expect(state.moduleRan, seen).toBe('yes');
    expect(state.color, seen).toBe('rgb(0, 128, 0)');
    expect(state.fonts, seen).toContain('Fixture Sans:loaded');

    const html = log.filter((e) => e.path === '/' && e.protocol === 'h2');
    const htmlStart = html.find((e) => e.event === 'request');
    const htmlEnd = html.find((e) => e.event === 'end');
    expect(htmlStart && htmlEnd, seen).toBeTruthy();
    expect(htmlEnd!.at - htmlStart!.at, seen).toBeGreaterThanOrEqual(HTML_DELAY_MS - 50);
    for (const path of HINTED) {
      const requests = log.filter((e) => e.event === 'request' && e.path === path);
      expect(requests, `${path} requested once: ${seen}`).toHaveLength(1);
      // Requested after the page request arrived, before the page's response finished.
      expect(requests[0]!.at, seen).toBeGreaterThan(htmlStart!.at);
      expect(requests[0]!.at, `${path} requested while the HTML was in flight: ${seen}`).toBeLessThan(htmlEnd!.at);
      expect(requests[0]!.protocol).toBe('h2');
    }
    expect(server.handler.stats().earlyHints, seen).toBeGreaterThanOrEqual(1);
    // Chromium refuses push (SETTINGS_ENABLE_PUSH=0): nothing was pushed, it was counted as disabled.
    expect(server.handler.stats().pushed).toBe(0);
    expect(server.handler.stats().skipped.disabled).toBeGreaterThan(0);
  });

  it('with Early Hints off, the Link header alone does not make Chromium fetch anything twice', async () => {
    const linkLog: RequestLogEntry[] = [];
    const linkOnly = await createPushServer({
      root: fixture,
      manifestPath: join(fixture, 'push-manifest.json'),
      tls: { cert, key: keyPem },
      earlyHints: false,
      onRequest: (entry) => linkLog.push(entry),
      log: () => undefined,
    });
    try {
      const fonts = await withPinnedChromium(cert, async (context) => {
        const page = await context.newPage();
        const response = await page.goto(`${linkOnly.url}/`, { waitUntil: 'load' });
        expect(response?.headers().link).toContain('</fonts/open-sans-300.woff2>; rel=preload; as=font; crossorigin');
        return page.evaluate(async () => {
          await document.fonts.ready;
          return [...document.fonts].map((f) => f.status);
        });
      });
      expect(fonts).toContain('loaded');
      const seen = linkLog.map((e) => `${e.event} ${e.path}`).join('; ');
      for (const path of HINTED) expect(linkLog.filter((e) => e.event === 'request' && e.path === path), `${path}: ${seen}`).toHaveLength(1);
      expect(linkOnly.handler.stats().earlyHints).toBe(0);
    } finally {
      await linkOnly.close();
    }
  });
});
