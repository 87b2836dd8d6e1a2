import { createServer, request } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { formatLink, isNodeEarlyHintSafe, parseLinkHeader, resourceLink } from '../../packages/core/src/runtime/link-header.js';
import { parseManifest, readManifestJson } from '../../packages/core/src/manifest/read.js';
import { serializeManifest } from '../../packages/core/src/manifest/write.js';
import type { Resource } from '../../packages/core/src/manifest/model.js';

const hero: Resource = {
  url: '/img/hero-800.jpg',
  type: 'image',
  weight: 250,
  nopush: true,
  imagesrcset: '/img/hero-800.jpg 800w, /img/hero-1600.jpg 1600w',
  imagesizes: '100vw',
  fetchpriority: 'high',
};

describe('responsive image hints: manifest fields and the Link header', () => {
  it('writes imagesrcset, imagesizes, fetchpriority and type into the link', () => {
    const link = formatLink(resourceLink(hero, true));
    expect(link).toBe('</img/hero-800.jpg>; rel=preload; as=image; imagesrcset="/img/hero-800.jpg 800w, /img/hero-1600.jpg 1600w"; imagesizes=100vw; fetchpriority=high; nopush');
    const avif = formatLink(resourceLink({ url: '/img/p.avif', type: 'image', weight: 1, mimeType: 'image/avif', media: '(min-width: 900px)' }, false));
    expect(avif).toBe('</img/p.avif>; rel=preload; as=image; media="(min-width: 900px)"; type="image/avif"');
    // A reader of the header gets the set back whole, commas and all.
    expect(parseLinkHeader(`${link}, </a.css>; rel=preload; as=style`).map((l) => [l.url, l.params.get('imagesrcset')])).toEqual([
      ['/img/hero-800.jpg', '/img/hero-800.jpg 800w, /img/hero-1600.jpg 1600w'],
      ['/a.css', undefined],
    ]);
  });

  it('round-trips the fields through our own format (the legacy shapes leave such entries out: test/manifest/old-readers.test.ts)', () => {
    const manifest = { pages: new Map([['/index.html', [hero, { url: '/a.avif', type: 'image' as const, weight: 249, mimeType: 'image/avif' }]]]) };
    const text = serializeManifest(manifest, 'v1');
    expect(text).toContain('"imagesrcset": "/img/hero-800.jpg 800w, /img/hero-1600.jpg 1600w"');
    const back = parseManifest(JSON.parse(text));
    expect(back.pages.get('/index.html')).toEqual(manifest.pages.get('/index.html'));
    expect(back.pages.get('/index.html')![0]!.extra).toBeUndefined();
  });

  it('refuses a field that would break the header', () => {
    const bad = { '/index.html': { '/a.jpg': { type: 'image', imagesrcset: 'a.jpg 1x"; rel=stylesheet' }, '/b.jpg': { type: 'image', fetchpriority: 'urgent' } } };
    const result = readManifestJson(bad, { format: 'multi' });
    expect(result.problems.map((p) => p.path.join('.'))).toEqual(['/index.html./a.jpg.imagesrcset', '/index.html./b.jpg.fetchpriority']);
  });

  it("Node's writeEarlyHints takes the links isNodeEarlyHintSafe says it takes, and refuses the others (they go out through the stream)", async () => {
    const links = [formatLink(resourceLink(hero, false)), '</a.jpg>; rel=preload; as=image; fetchpriority=high; type="image/avif"'];
    expect(links.map(isNodeEarlyHintSafe)).toEqual([false, true]);
    const server = createServer((req, res) => {
      const outcome = links.map((link) => {
        try {
          res.writeEarlyHints({ link });
          return 'ok';
        } catch (error) {
          return (error as NodeJS.ErrnoException).code ?? 'error';
        }
      });
      res.end(JSON.stringify(outcome));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const body = await new Promise<string>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/', timeout: 5000 }, (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk));
          res.on('end', () => resolve(text));
        });
        req.on('error', reject);
        req.end();
      });
      expect(JSON.parse(body)).toEqual(['ERR_INVALID_ARG_VALUE', 'ok']);
    } finally {
      server.close();
    }
  });
});
