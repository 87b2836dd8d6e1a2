/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Code passed to page.evaluate runs in the page: it needs the DOM types.
/**
 * Precision and recall of the default manifest, measured in headless Chromium. The ground truth is
 * the browser without hints: per fixture page and viewport, the page is loaded cold from the real
 * push server (HTTP/2 over TLS) with hints off, and cold from one serving the default manifest
 * (Link header and 103 Early Hints). The hinted load must fetch nothing the plain one did not (no
 * wasted hint), nothing more often (no double download), and its Link header must name every
 * render-blocking stylesheet, font, script and module the plain load fetched, and its LCP image.
 *
 * Fetches are counted where they arrive: the server's own request log (a preload started by a 103
 * never reaches the page's DevTools session). The certificate is trusted by its SPKI hash, not by
 * ignoring certificate errors, under which Chromium fetches every hinted file twice.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPushServer, parseLinkHeader, spkiHash, type PushServer, type RequestLogEntry } from '@push-manifest/core/runtime';
import { generateManifest } from '../../packages/core/src/generate.js';
import type { Manifest } from '../../packages/core/src/manifest/model.js';
import { makeDevCertificate } from '../../packages/cli/src/dev-certificate.js';
import { CHROMIUM_ARGS } from '../helpers/chromium.js';

const root = fileURLToPath(new URL('../../fixtures/sites/precision', import.meta.url));
const PAGES = ['/docs.html', '/blog-ru.html', '/landing.html', '/picture.html', '/modules.html', '/astro.html'];
/** What says a page has done what its first render does (on a loaded machine, module chains outlast the load event). */
const READY: Record<string, string> = {
  '/modules.html': 'document.getElementById("out").textContent === "Hello, modules!"',
  '/astro.html': 'document.querySelector("astro-island[data-hydrated]") !== null',
};
const VIEWPORTS = [
  { width: 400, height: 800, deviceScaleFactor: 1 },
  { width: 400, height: 800, deviceScaleFactor: 2 },
  { width: 1200, height: 800, deviceScaleFactor: 1 },
  { width: 1200, height: 800, deviceScaleFactor: 2 },
];

/** A server and the requests it saw. */
interface Logged {
  server: PushServer;
  log: RequestLogEntry[];
}

/** What one cold load fetched, as the server saw it, and what the page reports. */
interface Load {
  /** Path → times requested. */
  fetched: Map<string, number>;
  /** Path → status of its (last) response. */
  status: Map<string, number>;
  link: string;
  lcp: string | null;
  /** Paths of stylesheets, fonts and scripts the page used, from Resource Timing (with render-blocking state). */
  used: { path: string; kind: string; blocking: boolean }[];
}

async function load(browser: Browser, target: Logged, path: string, viewport: (typeof VIEWPORTS)[number]): Promise<Load> {
  const context = await browser.newContext({ viewport: { width: viewport.width, height: viewport.height }, deviceScaleFactor: viewport.deviceScaleFactor, ignoreHTTPSErrors: true });
  const start = target.log.length;
  try {
    const page = await context.newPage();
    const gotoStart = Date.now();
    const response = await page.goto(`${target.server.url}${path}`, { waitUntil: 'load' });
    await page.waitForFunction(READY[path] ?? 'true', undefined, { timeout: 15_000 });
    await page.evaluate(() => document.fonts.ready.then(() => undefined));
    const gotoMs = Date.now() - gotoStart;
    // Late fetches (dynamic imports, idle-priority sheets): wait until the server has been quiet
    // for 300 ms with every response ended, 4 s at most.
    const began = Date.now();
    let count = -1;
    let changed = Date.now();
    while (Date.now() - began < 4000) {
      if (target.log.length !== count) {
        count = target.log.length;
        changed = Date.now();
      }
      const entries = target.log.slice(start);
      const open = entries.filter((e) => e.event === 'request').length - entries.filter((e) => e.event === 'end').length;
      if (open <= 0 && Date.now() - changed >= 300) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const quietMs = Date.now() - began;
    const report = await page.evaluate(
      () =>
        new Promise<{ lcp: string | null; used: { path: string; kind: string; blocking: boolean }[] }>((resolve) => {
          const used = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).map((e) => ({
            path: new URL(e.name).pathname,
            kind: e.initiatorType,
            blocking: (e as PerformanceResourceTiming & { renderBlockingStatus?: string }).renderBlockingStatus === 'blocking',
          }));
          let done = false;
          new PerformanceObserver((list) => {
            const last = list.getEntries().at(-1) as (PerformanceEntry & { url?: string }) | undefined;
            if (!done) resolve({ lcp: last?.url ? new URL(last.url).pathname : null, used });
            done = true;
          }).observe({ type: 'largest-contentful-paint', buffered: true });
          setTimeout(() => {
            if (!done) resolve({ lcp: null, used });
            done = true;
          }, 1000);
        }),
    );
    const fetched = new Map<string, number>();
    const status = new Map<string, number>();
    for (const entry of target.log.slice(start)) {
      const at = entry.path.split('?')[0]!;
      if (entry.event === 'request') fetched.set(at, (fetched.get(at) ?? 0) + 1);
      else if (entry.status !== undefined) status.set(at, entry.status);
    }
    if (process.env.PRECISION_DEBUG) console.log(path, viewport, { goto: gotoMs, quiet: quietMs, report: Date.now() - began - quietMs, lcp: report.lcp });
    return { fetched, status, link: response?.headers().link ?? '', lcp: report.lcp, used: report.used };
  } finally {
    await context.close();
  }
}

/** Every URL a Link header names: the target, and an image preload's `imagesrcset` candidates. */
function linkNames(link: string): Set<string> {
  const names = new Set<string>();
  for (const parsed of parseLinkHeader(link)) {
    names.add(parsed.url);
    for (const candidate of (parsed.params.get('imagesrcset') ?? '').split(',')) {
      const url = candidate.trim().split(/\s+/)[0];
      if (url) names.add(url);
    }
  }
  return names;
}

describe('Chromium: the default manifest hints exactly what the page fetches', () => {
  let browser: Browser;
  /** A plain and a hinted server per viewport: the eight loads of a page run at once, each server logging only its own. */
  let servers: { plain: Logged; hinted: Logged }[];
  let manifest: Manifest;
  let tls: { cert: string; key: string };
  const byteTotals = { hinted: 0, used: 0 };

  beforeAll(async () => {
    ({ manifest } = await generateManifest({ root }));
    tls = await makeDevCertificate('127.0.0.1');
    const serve = async (hints: boolean): Promise<Logged> => {
      const log: RequestLogEntry[] = [];
      const server = await createPushServer({
        root,
        manifest,
        tls,
        link: hints,
        earlyHints: hints,
        push: hints,
        onRequest: (entry) => log.push(entry),
        log: () => undefined,
      });
      return { server, log };
    };
    servers = await Promise.all(VIEWPORTS.map(async () => ({ plain: await serve(false), hinted: await serve(true) })));
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, `--ignore-certificate-errors-spki-list=${spkiHash(tls.cert)}`], headless: true });
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all((servers ?? []).flatMap((pair) => [pair.plain.server.close(), pair.hinted.server.close()]));
  });

  for (const path of PAGES) {
    it(`${path}: no wasted or doubled fetch, no critical miss, at 400 and 1200 px, DPR 1 and 2`, async () => {
      const loads = await Promise.all(
        VIEWPORTS.map((viewport, i) => Promise.all([load(browser, servers[i]!.plain, path, viewport), load(browser, servers[i]!.hinted, path, viewport)])),
      );
      for (const [i, viewport] of VIEWPORTS.entries()) {
        const where = `${path} at ${viewport.width}px DPR ${viewport.deviceScaleFactor}`;
        const [bare, withHints] = loads[i]!;
        const seen = `plain ${JSON.stringify([...bare.fetched])}; hinted ${JSON.stringify([...withHints.fetched])}; link ${withHints.link}`;
        expect(bare.link, where).toBe('');
        expect(withHints.link, where).not.toBe('');
        for (const [url, times] of withHints.fetched) {
          expect(bare.fetched.has(url), `${where}: hinted load fetched ${url}, the plain load did not (${seen})`).toBe(true);
          expect(times, `${where}: hinted load fetched ${url} ${times} times (${seen})`).toBeLessThanOrEqual(bare.fetched.get(url)!);
        }
        const names = linkNames(withHints.link);
        for (const used of bare.used) {
          if (bare.status.get(used.path) !== 200) continue; // a 404 (the dot-folder script) is nothing to hint
          // What the first render waits for: render-blocking sheets, fonts, scripts and the modules they import.
          const critical = (used.kind === 'link' && used.blocking) || used.kind === 'css' || used.kind === 'script' || used.kind === 'other';
          if (!critical) continue;
          if (used.kind === 'css' && !/\.(woff2?|ttf|otf)$/.test(used.path)) continue; // only fonts of what CSS fetches
          expect(names.has(used.path), `${where}: the plain load fetched ${used.path} (${used.kind}), the Link header does not name it (${seen})`).toBe(true);
        }
        if (bare.lcp !== null) expect(names.has(bare.lcp), `${where}: LCP image ${bare.lcp} not named (${seen})`).toBe(true);
        // Precision in bytes: what the hints made the browser fetch that the page used.
        for (const url of names) {
          if (!withHints.fetched.has(url)) continue;
          const bytes = statSync(join(root, url)).size;
          byteTotals.hinted += bytes;
          if (bare.fetched.has(url)) byteTotals.used += bytes;
        }
      }
    }, 60_000);
  }

  it('the hints were used: precision in bytes is 1', () => {
    expect(byteTotals.hinted).toBeGreaterThan(0);
    expect(byteTotals.used / byteTotals.hinted).toBe(1);
  });

  it('Chromium takes fetchpriority=high from a Link header: the hero preload starts at High, not Low', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 }, ignoreHTTPSErrors: true });
    try {
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      const priorities = new Map<string, string>();
      cdp.on('Network.requestWillBeSent', (event: { request: { url: string; initialPriority: string } }) => {
        const at = new URL(event.request.url).pathname;
        if (!priorities.has(at)) priorities.set(at, event.request.initialPriority);
      });
      // Link header only (no 103): the page's own session sees the preload's request.
      const linkOnly = await createPushServer({ root, manifest, tls, earlyHints: false, push: false, log: () => undefined });
      try {
        const response = await page.goto(`${linkOnly.url}/landing.html`, { waitUntil: 'load' });
        expect(response?.headers().link).toContain('fetchpriority=high');
      } finally {
        await linkOnly.close();
      }
      expect(priorities.get('/img/hero-1600.jpg')).toBe('High');
      // An image preload without fetchpriority starts Low: the logo is no preload, the plain image default is the reference.
      expect(priorities.get('/img/logo.png')).toBe('Low');
    } finally {
      await context.close();
    }
  }, 30_000);
});
