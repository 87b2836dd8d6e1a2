/// <reference lib="dom" />
/**
 * URLs with `,` and `;` in real Chromium (issue 8): the crawl lists `/a,b.css?v=1;2` as the page
 * wrote it, `serve` hints it in the 103 and the Link header, and Chromium fetches it once: the
 * preload and the page's own request are the same URL. (Written `%2C`/`%3B`, the hint would name
 * another URL and the file would be fetched twice.) The page's response is held back 1 s after
 * the 103, so a request that arrives in that window came from the hint.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateManifest } from '@push-manifest/core';
import { createPushServer, type PushServer, type RequestLogEntry } from '@push-manifest/core/runtime';
import { makeDevCertificate } from '../../packages/cli/src/dev-certificate.js';
import { withPinnedChromium } from '../helpers/chromium.js';

const root = fileURLToPath(new URL('../../fixtures/sites/precision-urls', import.meta.url));
const CSS = '/a,b.css?v=1;2';
const MODULE = '/js/m;1,2.js?x=a,b';
const HTML_DELAY_MS = 1000;

const log: RequestLogEntry[] = [];
let server: PushServer;
let cert: string;

beforeAll(async () => {
  const { manifest } = await generateManifest({ root, cache: false });
  expect(manifest.pages.get('/index.html')?.map((r) => r.url)).toEqual([CSS, MODULE]);
  const tls = await makeDevCertificate('127.0.0.1');
  cert = tls.cert;
  server = await createPushServer({
    root,
    manifest,
    tls,
    onRequest: (entry) => log.push(entry),
    delayResponse: (path) => (path === '/' ? HTML_DELAY_MS : 0),
    // See test/e2e/browser.test.ts: a 103 within microseconds of the request is now and then ignored.
    delayRequest: (path) => (path === '/' ? 30 : 0),
    log: () => undefined,
  });
});
afterAll(async () => {
  await server?.close();
});

it('Chromium fetches /a,b.css?v=1;2 and the module once each, from the hint, as the page wrote them', async () => {
  const { state, link } = await withPinnedChromium(cert, async (context) => {
    const page = await context.newPage();
    await page.goto(`${server.url}/warm-up.html`, { waitUntil: 'load' });
    const response = await page.goto(`${server.url}/`, { waitUntil: 'load' });
    const state = await page.evaluate(() => ({
      moduleRan: document.documentElement.dataset.moduleRan,
      color: getComputedStyle(document.querySelector('.styled')!).color,
    }));
    return { state, link: (await response?.allHeaders())?.link };
  });
  const seen = log.map((e) => `${e.event} ${e.path} ${Math.round(e.at)}`).join('; ');
  expect(state, seen).toEqual({ moduleRan: 'yes', color: 'rgb(0, 128, 0)' });
  expect(link).toBe(`<${CSS}>; rel=preload; as=style; nopush, <${MODULE}>; rel=modulepreload; crossorigin; nopush`);
  const htmlStart = log.find((e) => e.path === '/' && e.event === 'request')!;
  const htmlEnd = log.find((e) => e.path === '/' && e.event === 'end')!;
  for (const url of [CSS, MODULE]) {
    const requests = log.filter((e) => e.event === 'request' && e.path === url);
    expect(requests, `${url} requested once: ${seen}`).toHaveLength(1);
    expect(requests[0]!.at, `${url} requested from the hint, while the HTML was in flight: ${seen}`).toBeLessThan(htmlEnd.at);
    expect(requests[0]!.at).toBeGreaterThan(htmlStart.at);
  }
  // Nothing asked for an encoded spelling of them.
  expect(log.filter((e) => /%2C|%3B/i.test(e.path)), seen).toEqual([]);
});
