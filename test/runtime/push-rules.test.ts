/**
 * Which links the server pushes and how it marks them, over real HTTP/2 (h2c, Node's client):
 * - a resource with `imagesrcset` or `media` is responsive or conditional: the browser picks the
 *   candidate, or skips it, and a push cannot know which, so it is hinted (Link preload) and never
 *   pushed, even when a hand-written manifest leaves out `nopush`;
 * - the page's Link header marks every link `nopush`, pushed ones included: the server has pushed
 *   them already, and a push-capable proxy in front (h2o, a CDN) must not push them a second time;
 *   a browser preloads from the header all the same (`nopush` is a directive to servers);
 * - the digest cookie lists a push only once its pushed response really went out: not one whose
 *   file could not be opened (the pushed stream is reset).
 */
import { rmSync, unlinkSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Manifest, Resource } from '@push-manifest/core/manifest';
import { CacheDigest, createPushServer, createStaticRoot, parseLinkHeader, readCookie, RouteTable } from '@push-manifest/core/runtime';
import { connect, makeSite, navigate, siteManifest } from '../helpers/push-site.js';

const site = makeSite();
afterAll(() => rmSync(site, { recursive: true, force: true }));

const r = (url: string, type: Resource['type'], extra: Partial<Resource> = {}): Resource => ({ url, type, weight: 1, ...extra });

/** Hand-written: no `nopush` anywhere, a responsive image and a print-only stylesheet among them. */
const handWritten = (): Manifest => ({
  pages: new Map([
    [
      '/index.html',
      [
        r('/css/app.css', 'style'),
        r('/img/hero.jpg', 'image', { imagesrcset: '/img/hero.jpg 1x, /img/hero@2x.jpg 2x' }),
        r('/data/extra.json', 'style', { media: 'print' }),
        r('/js/main.js', 'script', { rel: 'modulepreload', crossorigin: 'anonymous' }),
      ],
    ],
  ]),
});

describe('push rules', () => {
  it('the route table never pushes a resource with imagesrcset or media, nopush or not', () => {
    const route = RouteTable.fromManifest(handWritten()).match('/')!;
    expect(route.pushes.map((p) => p.url)).toEqual(['/css/app.css', '/js/main.js']);
    const links = parseLinkHeader(route.linkHeaderAllPushed);
    const byUrl = new Map(links.map((link) => [link.url, link]));
    expect(byUrl.get('/img/hero.jpg')?.params.has('nopush')).toBe(true);
    expect(byUrl.get('/data/extra.json')?.params.has('nopush')).toBe(true);
  });

  it('serve pushes neither over HTTP/2, and hints both', async () => {
    const server = await createPushServer({ root: site, manifest: handWritten(), h2c: true, log: () => undefined });
    const session = await connect(server.port);
    try {
      const view = await navigate(session, '/');
      expect(view.status).toBe(200);
      expect(view.pushes.map((p) => p.path).sort()).toEqual(['/css/app.css', '/js/main.js']);
      const urls = parseLinkHeader(String(view.headers.link)).map((link) => link.url);
      expect(urls).toEqual(expect.arrayContaining(['/img/hero.jpg', '/data/extra.json']));
    } finally {
      session.destroy();
      await server.close();
    }
  });

  it('the Link header of a page that pushed marks every link nopush, the pushed ones too', async () => {
    const server = await createPushServer({ root: site, manifest: siteManifest(), h2c: true, log: () => undefined });
    const session = await connect(server.port);
    try {
      const view = await navigate(session, '/');
      expect(view.pushes.length).toBeGreaterThan(0);
      const links = parseLinkHeader(String(view.headers.link));
      for (const pushed of view.pushes) expect(links.some((link) => link.url === pushed.path)).toBe(true);
      for (const link of links) expect(link.params.has('nopush'), `${link.url} without nopush`).toBe(true);
    } finally {
      session.destroy();
      await server.close();
    }
  });

  it('the digest lists a push only once its response went out, not one whose file vanished', async () => {
    const root = createStaticRoot(makeSite(), { cacheMs: 60_000, memoryCache: false });
    const server = await createPushServer({ root, manifest: siteManifest(), h2c: true, log: () => undefined });
    try {
      // First view: every push goes out, and the root's lookups of the pushed files are cached.
      const first = await connect(server.port);
      const before = await navigate(first, '/');
      first.destroy();
      const etags = new Map(before.pushes.map((p) => [p.path, String(p.headers.etag)]));
      expect(etags.has('/js/dep.js')).toBe(true);
      // The file goes; the cached lookup still lists it, so it is promised, then cannot be opened.
      unlinkSync(`${root.root}/js/dep.js`);
      const second = await connect(server.port);
      const after = await navigate(second, '/');
      second.destroy();
      const gone = after.pushes.find((p) => p.path === '/js/dep.js');
      expect(gone?.rstCode).toBeGreaterThan(0);
      const cookie = ([] as string[]).concat(after.headers['set-cookie'] ?? []).join('; ');
      const digest = CacheDigest.decode(readCookie(cookie.split(';')[0], 'pm_digest'));
      for (const [path, etag] of etags) expect(digest.has(path, etag), path).toBe(path !== '/js/dep.js');
    } finally {
      await server.close();
      rmSync(root.root, { recursive: true, force: true });
    }
  });
});
