import { describe, expect, it } from 'vitest';
import { RouteTable } from '@push-manifest/core/runtime';
import { ANY_PAGE, PushManifestError, type Manifest, type PreconnectHint, type Resource } from '@push-manifest/core/manifest';

const r = (url: string, type: Resource['type'], extra: Partial<Resource> = {}): Resource => ({ url, type, weight: 1, ...extra });
const manifest = (pages: Record<string, Resource[]>, preconnect?: Record<string, PreconnectHint[]>): Manifest => ({
  pages: new Map(Object.entries(pages)),
  ...(preconnect ? { preconnect: new Map(Object.entries(preconnect)) } : {}),
});

describe('RouteTable.match', () => {
  const table = RouteTable.fromManifest(
    manifest({
      '/index.html': [r('/home.css', 'style')],
      '/about/index.html': [r('/about.css', 'style')],
      '/contact.html': [r('/contact.css', 'style')],
      '/docs/index.html': [r('/docs-index.css', 'style')],
      '/docs.html': [r('/docs-page.css', 'style')],
      '/view1': [r('/view1.js', 'script')],
      '^/shop/.*$': [r('/shop.js', 'script')],
      '^/shop/special$': [r('/never.js', 'script')],
      [ANY_PAGE]: [r('/any.css', 'style')],
    }),
  );
  const key = (url: string) => table.match(url)?.key;

  it('maps / and folders to their index.html, clean URLs to .html or index.html, ignores the query', () => {
    expect(key('/')).toBe('/index.html');
    expect(key('/index.html')).toBe('/index.html');
    expect(key('/?utm=1')).toBe('/index.html');
    expect(key('/about/')).toBe('/about/index.html');
    expect(key('/about')).toBe('/about/index.html');
    expect(key('/about/index.html?x')).toBe('/about/index.html');
    expect(key('/contact')).toBe('/contact.html');
    expect(key('/view1')).toBe('/view1');
  });

  it('prefers /docs.html over /docs/index.html for the clean URL /docs', () => {
    expect(key('/docs')).toBe('/docs.html');
    expect(key('/docs/')).toBe('/docs/index.html');
  });

  it('tries patterns in manifest order after literal keys, then *', () => {
    expect(key('/shop/special')).toBe('^/shop/.*$');
    expect(key('/shop/x?y=1')).toBe('^/shop/.*$');
    expect(key('/nothing.html')).toBe(ANY_PAGE);
    expect(table.match('/shop/special')?.literal).toBe(false);
    expect(table.match('/about')?.literal).toBe(true);
  });

  it('answers undefined without a * key', () => {
    const t = RouteTable.fromManifest(manifest({ '/a.html': [] }));
    expect(t.match('/b.html')).toBeUndefined();
  });

  it('matches percent-escapes whatever the case of their hex digits, and never decodes them', () => {
    const t = RouteTable.fromManifest(manifest({ '/caf%c3%a9/index.html': [r('/a.css', 'style')], '/%E2%82%AC.html': [r('/b.css', 'style')] }));
    // Browsers send upper-case escapes; a hand-written key may have lower-case ones, and the reverse.
    expect(t.match('/caf%C3%A9/index.html')?.key).toBe('/caf%c3%a9/index.html');
    expect(t.match('/caf%C3%A9/')?.key).toBe('/caf%c3%a9/index.html');
    expect(t.match('/caf%c3%a9?q=1')?.key).toBe('/caf%c3%a9/index.html');
    expect(t.match('/%e2%82%ac.html')?.key).toBe('/%E2%82%AC.html');
    expect(t.match('/%e2%82%Ac')?.key).toBe('/%E2%82%AC.html');
    // %2F is not a slash, and an escape is not the character it encodes.
    expect(t.match('/caf%C3%A9%2Findex.html')).toBeUndefined();
    expect(t.match('/café/index.html')).toBeUndefined();
  });

  it('treats a dot in a literal key literally (prpl-server did not)', () => {
    const t = RouteTable.fromManifest(manifest({ '/a.html': [r('/a.css', 'style')] }));
    expect(t.match('/aXhtml')).toBeUndefined();
  });
});

describe('RouteTable link values', () => {
  it('puts preconnects first, then resources in manifest order, nopush on all when nothing is pushed', () => {
    const t = RouteTable.fromManifest(
      manifest(
        {
          '/index.html': [
            r('/app.css', 'style'),
            r('/font.woff2', 'font'),
            r('/main.js', 'script', { rel: 'modulepreload', crossorigin: 'anonymous' }),
            r('/hero.jpg', 'image', { nopush: true }),
          ],
        },
        { '/index.html': [{ origin: 'https://fonts.example', crossorigin: 'anonymous' }, { origin: 'https://img.example' }] },
      ),
    );
    const route = t.match('/')!;
    expect(route.linkHeader).toBe(
      '<https://fonts.example>; rel=preconnect; crossorigin, <https://img.example>; rel=preconnect, </app.css>; rel=preload; as=style; nopush, </font.woff2>; rel=preload; as=font; crossorigin; nopush, </main.js>; rel=modulepreload; crossorigin; nopush, </hero.jpg>; rel=preload; as=image; nopush',
    );
    expect(route.linkHeaderAllPushed).toBe(
      '<https://fonts.example>; rel=preconnect; crossorigin, <https://img.example>; rel=preconnect, </app.css>; rel=preload; as=style, </font.woff2>; rel=preload; as=font; crossorigin, </main.js>; rel=modulepreload; crossorigin, </hero.jpg>; rel=preload; as=image; nopush',
    );
    expect(route.pushes.map((p) => p.url)).toEqual(['/app.css', '/font.woff2', '/main.js']);
    expect(route.earlyHints).toEqual([
      '<https://fonts.example>; rel=preconnect; crossorigin',
      '<https://img.example>; rel=preconnect',
      '</app.css>; rel=preload; as=style',
      '</font.woff2>; rel=preload; as=font; crossorigin',
      '</main.js>; rel=modulepreload; crossorigin',
      '</hero.jpg>; rel=preload; as=image',
    ]);
  });

  it('never pushes cross-origin URLs', () => {
    const t = RouteTable.fromManifest(manifest({ '/a.html': [r('https://cdn.example/x.js', 'script'), r('//cdn.example/y.js', 'script'), r('/z.js', 'script')] }));
    expect(t.match('/a.html')!.pushes.map((p) => p.url)).toEqual(['/z.js']);
  });

  it('caps the Link value at linkHeaderMax bytes, cutting whole links in priority order', () => {
    const resources = Array.from({ length: 200 }, (_, i) => r(`/assets/file-${String(i).padStart(3, '0')}.js`, 'script'));
    const route = RouteTable.fromManifest(manifest({ '/a.html': resources })).match('/a.html')!;
    expect(Buffer.byteLength(route.linkHeader)).toBeLessThanOrEqual(4096);
    expect(route.links.length).toBeGreaterThan(10);
    expect(route.droppedLinks).toBe(200 - route.links.length);
    // Whole links, the first ones, in order.
    expect(route.links.map((l) => l.url)).toEqual(resources.slice(0, route.links.length).map((x) => x.url));
    expect(route.linkHeader.endsWith('; nopush')).toBe(true);
    // Adding the next link would have gone over.
    const next = `, </assets/file-${String(route.links.length).padStart(3, '0')}.js>; rel=preload; as=script; nopush`;
    expect(Buffer.byteLength(route.linkHeader + next)).toBeGreaterThan(4096);
    // A big first link does not let a small later one jump ahead.
    const small = RouteTable.fromManifest(manifest({ '/b.html': [r(`/${'x'.repeat(100)}.js`, 'script'), r('/y.js', 'script')] }), { linkHeaderMax: 50 });
    expect(small.match('/b.html')!.linkHeader).toBe('');
    // Pushes are not limited by the header cap.
    expect(route.pushes).toHaveLength(200);
  });

  it('marks links that Node writeEarlyHints would reject', () => {
    const route = RouteTable.fromManifest(manifest({ '/a.html': [r('/p.css', 'style', { media: '(min-width: 40em)' }), r('/q.css', 'style')] })).match('/a.html')!;
    expect(route.earlyHints).toHaveLength(2);
    expect(route.earlyHintsForNode).toEqual(['</q.css>; rel=preload; as=style']);
  });

  it('rejects a hand-built manifest whose URL would inject a header', () => {
    for (const url of ['/a.css>; rel=x\r\nSet-Cookie: a=b', '/a b.css', '/a<b']) {
      expect(() => RouteTable.fromManifest(manifest({ '/a.html': [r(url, 'style')] }))).toThrow(PushManifestError);
    }
    expect(() => RouteTable.fromManifest(manifest({ '^(': [] }))).toThrow(/regular expression/);
  });
});
