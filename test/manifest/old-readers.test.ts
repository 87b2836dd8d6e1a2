/**
 * The old formats, read by the old readers (issue 8). A site whose page paths have `.`, `+` and
 * `(`, with a preconnect origin, a print stylesheet and a `max-width` one, a font and a module:
 * - the real prpl-server 1.4.2 loads our `polymer` output (an unescaped `/c++/index.html` key
 *   makes it throw at start-up) and sends exactly each page's links, nothing for an unrelated
 *   path (an unescaped `.` or `(x)` would match `/aXb/index.html` or `/fx.html`);
 * - a reader written to the old http2-push-manifest consumers' logic (http2push-gae's
 *   `_generate_link_preload_headers`: key = path appended to the host, `type` → `as`, nothing
 *   else) reads our `single` and `multi` output without one bogus link.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateManifest, serializeManifest, type Manifest, type Resource } from '@push-manifest/core';

const { makeHandler } = createRequire(import.meta.url)('prpl-server') as { makeHandler: (root: string) => http.RequestListener };

const head = (extra = '') =>
  `<!doctype html><link rel=preconnect href=https://fonts.example crossorigin><link rel=stylesheet href=/css/site.css>` +
  `<link rel=stylesheet href=/css/print.css media=print><link rel=stylesheet href=/css/narrow.css media="(max-width: 40em)">${extra}`;
const SITE: Record<string, string> = {
  'index.html': `${head('<script type=module src=/js/home.js></script>')}<h1>home</h1>`,
  'c++/index.html': `${head('<script src="/js/c++.js"></script>')}<h1>c++</h1>`,
  'a.b/index.html': `${head('<img src="/img/a.b.png">')}<h1>a.b</h1>`,
  'f(x).html': `${head('<script src="/js/f(x).js"></script>')}<h1>f(x)</h1>`,
  'css/site.css': '@font-face{font-family:Body;src:url(/fonts/body.woff2) format("woff2")}body{font-family:Body}',
  'css/print.css': 'body{color:#000}',
  'css/narrow.css': 'body{margin:0}',
  'fonts/body.woff2': 'wOF2',
  'js/home.js': 'export {}',
  'js/c++.js': '',
  'js/f(x).js': '',
  'img/a.b.png': 'png',
};
const PAGES = ['/index.html', '/c++/index.html', '/a.b/index.html', '/f(x).html'];

let root: string;
let manifest: Manifest;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'pm-old-readers-'));
  for (const [path, text] of Object.entries(SITE)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  manifest = (await generateManifest({ root, cache: false })).manifest;
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The page's resources an old reader can use: what the legacy formats must hold, no more. */
function usable(route: string): Resource[] {
  return (manifest.pages.get(route) ?? []).filter((r) => r.media === undefined);
}

it('the crawl found the hints the old shapes must leave out (so the tests below can fail)', () => {
  expect(manifest.preconnect?.get('/index.html')).toEqual([{ origin: 'https://fonts.example', crossorigin: 'anonymous' }]);
  const listed = manifest.pages.get('/index.html')?.map((r) => [r.url, r.media]);
  expect(listed).toEqual(expect.arrayContaining([['/css/narrow.css', '(max-width: 40em)']]));
  // A print sheet is never listed by the crawler at all (it cannot match a screen at load).
  expect(listed?.map(([url]) => url)).not.toContain('/css/print.css');
  for (const route of PAGES) expect(usable(route).length).toBeGreaterThanOrEqual(2);
});

describe('prpl-server 1.4.2 on our polymer output', () => {
  let server: http.Server;
  let port: number;
  beforeAll(async () => {
    writeFileSync(join(root, 'push-manifest.json'), serializeManifest(manifest, 'polymer'));
    server = http.createServer(makeHandler(root));
    port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const linksOf = (path: string) =>
    new Promise<{ status: number; links: string[] }>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path }, (res) => {
          res.resume();
          const link = res.headers.link;
          const links = link === undefined ? [] : [link].flat().join(', ').split(/,\s*(?=<)/);
          res.on('end', () => resolve({ status: res.statusCode ?? 0, links }));
        })
        .on('error', reject);
    });

  /** What prpl-server writes for a resource (no user agent: no push capability, so `nopush`). */
  const prplLink = (r: Resource) => `<${r.url}>; rel=preload; as=${r.type}${r.crossorigin ? `; crossorigin=${r.crossorigin}` : ''}; nopush`;

  const requests: Array<[string, string]> = [
    ['/', '/index.html'],
    ['/index.html', '/index.html'],
    ['/c++/index.html', '/c++/index.html'],
    ['/c++/', '/c++/index.html'],
    ['/a.b/index.html', '/a.b/index.html'],
    ['/a.b/', '/a.b/index.html'],
    ['/f(x).html', '/f(x).html'],
  ];
  for (const [path, route] of requests) {
    it(`sends exactly ${route}'s links for ${path}`, async () => {
      const { status, links } = await linksOf(path);
      expect(status).toBe(200);
      expect(links).toEqual(usable(route).map(prplLink));
    });
  }

  for (const path of ['/aXb/index.html', '/fx.html', '/c+/index.html', '/css/site.css', '/nothing.txt']) {
    it(`sends no links for the unrelated path ${path}`, async () => {
      expect((await linksOf(path)).links).toEqual([]);
    });
  }
});

/**
 * The old consumers' reading, as http2push-gae wrote it: for each key, `host + key`, then
 * `rel=preload` and `as=<type>` when the type is not empty. Nothing else of the entry is read.
 */
function oldReaderLinks(entries: Record<string, { type?: string }>, host: string): string[] {
  return Object.entries(entries).map(([url, entry]) => {
    const type = String(entry.type ?? '');
    return type.length > 0 ? `<${host}${url}>; rel=preload; as=${type}` : `<${host}${url}>; rel=preload`;
  });
}

/** A link is bogus unless it names a file of the site on the same origin, with the type the crawl gave it, used on every screen. */
function expectNoBogusLink(links: string[], host: string, route: string): void {
  const byUrl = new Map(usable(route).map((r) => [r.url, r]));
  for (const link of links) {
    const match = /^<([^>]*)>; rel=preload; as=([a-z]+)$/.exec(link);
    expect(match, link).not.toBeNull();
    const target = new URL(match![1]!);
    expect(target.origin, link).toBe(host);
    const path = target.pathname + target.search;
    expect(byUrl.get(path)?.type, `${link}: not one of ${route}'s unconditional resources`).toBe(match![2]);
    expect(existsSync(join(root, decodeURIComponent(target.pathname))), link).toBe(true);
  }
  expect(links).toHaveLength(byUrl.size);
}

describe("the old http2-push-manifest consumers' reading", () => {
  const host = 'https://example.com';

  it('reads our multi output (page key → entries) without one bogus link', () => {
    const json = JSON.parse(serializeManifest(manifest, 'multi')) as Record<string, Record<string, { type?: string }>>;
    expect(Object.keys(json).sort()).toEqual(PAGES.map((page) => page.slice(1)).sort());
    for (const route of PAGES) expectNoBogusLink(oldReaderLinks(json[route.slice(1)]!, host), host, route);
  });

  it('reads our single output (one page) without one bogus link', () => {
    const one: Manifest = { pages: new Map([['/c++/index.html', manifest.pages.get('/c++/index.html')!]]), preconnect: new Map([['/c++/index.html', manifest.preconnect!.get('/c++/index.html')!]]) };
    const json = JSON.parse(serializeManifest(one, 'single')) as Record<string, { type?: string; weight?: unknown }>;
    for (const entry of Object.values(json)) expect(Number.isInteger(entry.weight)).toBe(true);
    expectNoBogusLink(oldReaderLinks(json, host), host, '/c++/index.html');
  });
});
