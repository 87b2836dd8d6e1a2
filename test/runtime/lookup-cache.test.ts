/**
 * The static lookup cache stays bounded whatever the requests (long paths, long Accept-Encoding,
 * spellings of one file), and a scan of one-off paths does not evict the hot entries.
 */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createPushServer, createStaticRoot } from '@push-manifest/core/runtime';
import { LookupCache } from '../../packages/core/src/runtime/static/lookup-cache.js';
import { makeSite, siteManifest } from '../helpers/push-site.js';
import { h2session, rawHttp2 } from '../helpers/raw-clients.js';

const site = makeSite();
afterAll(() => rmSync(site, { recursive: true, force: true }));

describe('static lookup cache', () => {
  it('300 HTTP/2 requests with 30 KB paths and 30 KB accept-encoding leave it within its bound', async () => {
    const server = await createPushServer({ root: site, manifest: siteManifest(), h2c: true, static: { cacheSize: 100 }, log: () => undefined });
    // The client's own header-list limit must let 60 KB of headers through.
    const session = await h2session(server.url);
    try {
      const acceptEncoding = `${'identity;q=0.5, '.repeat(1900)}gzip`;
      expect(acceptEncoding.length).toBeGreaterThan(30_000);
      for (let i = 0; i < 300; i++) {
        const path = `/${i}-${'a'.repeat(30_000)}`;
        const res = await rawHttp2(session, path, { 'accept-encoding': acceptEncoding });
        expect([404, 431]).toContain(res.status);
      }
      // One file spelled three ways, one encoding set written three ways: one entry.
      for (const [path, ae] of [
        ['/css/app.css', 'gzip'],
        ['/css/%61pp.css', ' GZIP ;q=1'],
        ['//css//app.css?v=1', 'gzip, identity'],
      ] as const) {
        expect((await rawHttp2(session, path, { 'accept-encoding': ae })).status).toBe(200);
      }
      const stats = server.staticRoot.cacheStats!();
      expect(stats.entries).toBeLessThanOrEqual(100);
      expect(stats.keyChars).toBeLessThanOrEqual(stats.entries * stats.maxKeyLength);
      expect(stats.keyChars).toBeLessThan(20_000);
    } finally {
      session.destroy();
      await server.close();
    }
  });

  it('a scan of one-off paths does not evict entries used more than once', async () => {
    const root = createStaticRoot(site, { cacheSize: 50, cacheMs: 60_000 });
    const hot = ['/css/app.css', '/js/main.js', '/js/dep.js', '/fonts/f.woff2', '/'];
    for (let round = 0; round < 2; round++) for (const path of hot) await root.resolve(path, 'br, gzip');
    for (let i = 0; i < 2000; i++) await root.resolve(`/scan/${i}.html`, 'br, gzip');
    for (const path of hot) expect(root.peek!(path, 'br, gzip')?.kind).toBe('file');
    expect(root.cacheStats!().entries).toBeLessThanOrEqual(50);
  });

  it('LookupCache: least recently used first, TTL, keys over the limit never stored', () => {
    const cache = new LookupCache<number>({ maxEntries: 5, ttlMs: 1000, maxKeyLength: 10 });
    for (let i = 0; i < 5; i++) cache.set(`k${i}`, i, 0);
    cache.get('k0', 1); // k0 is now protected
    cache.set('k5', 5, 2); // evicts the least recently used of probation: k1
    expect(cache.get('k1', 3)).toBeUndefined();
    expect(cache.get('k0', 3)).toBe(0);
    expect(cache.get('k5', 3)).toBe(5);
    expect(cache.get('k0', 2000)).toBeUndefined();
    cache.set('x'.repeat(11), 1, 0);
    expect(cache.size).toBeLessThanOrEqual(5);
    expect(cache.get('x'.repeat(11), 0)).toBeUndefined();
  });
});
