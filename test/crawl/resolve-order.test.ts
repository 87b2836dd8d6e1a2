import { join, relative, sep, isAbsolute } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractFile, orderByCriticality, unsafeUrlReason, weightAt, CRITICALITY, type Criticality } from '@push-manifest/core';
import { fileUrlPath, normaliseBase, resolveRef, SITE_ORIGIN, type Site } from '../../packages/core/src/crawl/resolve.js';

const site: Site = { root: '/srv/site', base: '/' };
const pageUrl = new URL('/blog/post/index.html', SITE_ORIGIN);

describe('resolveRef', () => {
  it('resolves relative and absolute paths, keeping the query and dropping the fragment', () => {
    expect(resolveRef('../img/a.png?v=2#x', pageUrl, site)).toEqual({ kind: 'local', url: '/blog/img/a.png?v=2', file: '/srv/site/blog/img/a.png' });
    expect(resolveRef('/css/app.css', pageUrl, site)).toMatchObject({ url: '/css/app.css', file: '/srv/site/css/app.css' });
    expect(resolveRef('  ./x.js \n', pageUrl, site)).toMatchObject({ url: '/blog/post/x.js' });
  });

  it('maps a folder URL to its index.html', () => {
    expect(resolveRef('/docs/', pageUrl, site)).toMatchObject({ url: '/docs/', file: '/srv/site/docs/index.html' });
  });

  it('decodes percent-encoding once to find the file and writes the URL encoded', () => {
    expect(resolveRef('caf%C3%A9.png', pageUrl, site)).toMatchObject({ url: '/blog/post/caf%C3%A9.png', file: '/srv/site/blog/post/café.png' });
    expect(resolveRef('café.png', pageUrl, site)).toMatchObject({ url: '/blog/post/caf%C3%A9.png', file: '/srv/site/blog/post/café.png' });
    expect(resolveRef('a b.png', pageUrl, site)).toMatchObject({ url: '/blog/post/a%20b.png', file: '/srv/site/blog/post/a b.png' });
    expect(resolveRef('%2541.png', pageUrl, site)).toMatchObject({ url: '/blog/post/%2541.png', file: '/srv/site/blog/post/%41.png' });
    expect(resolveRef('/a,b.css?v=1;2', pageUrl, site)).toMatchObject({ url: '/a,b.css?v=1;2', file: '/srv/site/a,b.css' });
    expect(resolveRef("it's,a;b.png", pageUrl, site)).toMatchObject({ url: "/blog/post/it's,a;b.png", file: "/srv/site/blog/post/it's,a;b.png" });
  });

  it('skips what is not a file of the site', () => {
    for (const raw of ['', '   ', '#top', 'data:image/png;base64,AA', 'blob:https://x/1', 'javascript:void(0)', 'about:blank', 'mailto:a@b.c', 'tel:1']) {
      expect(resolveRef(raw, pageUrl, site), raw).toEqual({ kind: 'skip' });
    }
    expect(resolveRef('lodash', pageUrl, site, { bareIsModule: true })).toEqual({ kind: 'skip' });
    expect(resolveRef('lodash', pageUrl, site)).toMatchObject({ kind: 'local' });
  });

  it('sends other origins to preconnect, protocol-relative ones too', () => {
    expect(resolveRef('https://cdn.example/x.css', pageUrl, site)).toEqual({ kind: 'cross-origin', origin: 'https://cdn.example' });
    expect(resolveRef('//fonts.example:8443/f.woff2', pageUrl, site)).toEqual({ kind: 'cross-origin', origin: 'https://fonts.example:8443' });
  });

  it("treats the site's own origins as the site", () => {
    const own: Site = { ...site, origins: new Set(['https://example.com']) };
    expect(resolveRef('https://example.com/css/a.css?v=1#x', pageUrl, own)).toMatchObject({ kind: 'local', url: '/css/a.css?v=1', file: '/srv/site/css/a.css' });
    expect(resolveRef('//example.com/img/b.png', pageUrl, own)).toMatchObject({ kind: 'local', url: '/img/b.png' });
    expect(resolveRef('img/c.png', new URL('https://example.com/blog/'), own)).toMatchObject({ kind: 'local', url: '/blog/img/c.png' });
    expect(resolveRef('http://example.com/a.css', pageUrl, own)).toEqual({ kind: 'cross-origin', origin: 'http://example.com' });
    expect(resolveRef('https://example.com/..%2f..%2fetc/passwd', pageUrl, own)).toMatchObject({ kind: 'bad', code: 'OUTSIDE_ROOT' });
  });

  it('resolves against a cross-origin <base href>', () => {
    expect(resolveRef('img/a.png', new URL('https://static.example/v2/'), site)).toEqual({ kind: 'cross-origin', origin: 'https://static.example' });
  });

  it('refuses escapes: climbing above the root, encoded separators, leaving the base', () => {
    expect(resolveRef('../../../etc/passwd', pageUrl, site)).toMatchObject({ kind: 'bad', code: 'OUTSIDE_ROOT' });
    expect(resolveRef('%2e%2e/%2E%2E/%2e%2e/etc/passwd', pageUrl, site)).toMatchObject({ kind: 'bad', code: 'OUTSIDE_ROOT' });
    expect(resolveRef('..%2f..%2fetc%2fpasswd', pageUrl, site)).toMatchObject({ kind: 'bad', code: 'OUTSIDE_ROOT' });
    expect(resolveRef('..\\..\\..\\etc\\passwd', pageUrl, site)).toMatchObject({ kind: 'bad', code: 'OUTSIDE_ROOT' });
    expect(resolveRef('a%00.png', pageUrl, site)).toMatchObject({ kind: 'bad', code: 'OUTSIDE_ROOT' });
    expect(resolveRef('/other/x.css', pageUrl, { ...site, base: '/app/' })).toMatchObject({ kind: 'bad', code: 'OUTSIDE_ROOT' });
    expect(resolveRef('%E0%A4%A.png', pageUrl, site)).toMatchObject({ kind: 'bad', code: 'BAD_URL' });
  });

  it('never yields a file outside the root, whatever the reference (property)', () => {
    const segment = fc.constantFrom('..', '.', '%2e%2e', '%2E.', 'a', 'b%2fc', '%5c', '\\', 'x y', '%00', '%', 'é', '?q', '#f', '', "it's", 'a,b;c', '{x}', '`t`', '|^', '?q={"a":1}\\');
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 8 }), fc.boolean(), fc.string({ maxLength: 6 }), (parts, absolute, tail) => {
        const raw = (absolute ? '/' : '') + parts.join('/') + tail;
        const result = resolveRef(raw, pageUrl, site);
        if (result.kind !== 'local') return;
        const rel = relative(site.root, result.file);
        expect(rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)).toBe(false);
        expect(result.url.startsWith('/')).toBe(true);
        expect(result.url).not.toMatch(/[\s"<>]/);
        // Raw where the WHATWG URL serialiser leaves it raw: what a browser requests for the same reference.
        const browser = new URL(raw.trim(), pageUrl);
        if (!/%(?![0-9A-Fa-f]{2})/.test(browser.pathname + browser.search)) {
          expect(result.url).toBe(browser.pathname + browser.search);
        }
        // Whatever the page wrote, the manifest accepts the URL as it is.
        expect(unsafeUrlReason(result.url)).toBeUndefined();
      }),
      { numRuns: 2000 },
    );
  });
});

describe('fileUrlPath and normaliseBase', () => {
  it('encodes file names as URL paths', () => {
    expect(fileUrlPath(site, join(site.root, 'a b', 'c#d?.html'))).toBe('/a%20b/c%23d%3F.html');
    expect(fileUrlPath({ ...site, base: '/shop/' }, join(site.root, 'index.html'))).toBe('/shop/index.html');
  });

  it('normalises base to /…/', () => {
    expect(normaliseBase(undefined)).toBe('/');
    expect(normaliseBase('shop')).toBe('/shop/');
    expect(normaliseBase('/shop//x/')).toBe('/shop/x/');
    expect(normaliseBase('a b')).toBe('/a%20b/');
  });
});

describe('order', () => {
  it('sorts by class, then discovery order', () => {
    const items = [
      { id: 'img', criticality: 'image' as Criticality, seq: 0 },
      { id: 'mod', criticality: 'script' as Criticality, seq: 1 },
      { id: 'css2', criticality: 'style' as Criticality, seq: 5 },
      { id: 'css1', criticality: 'style' as Criticality, seq: 2 },
      { id: 'font', criticality: 'font' as Criticality, seq: 3 },
      { id: 'sync', criticality: 'blocking-script' as Criticality, seq: 4 },
      { id: 'icon', criticality: 'other' as Criticality, seq: 6 },
    ];
    expect(orderByCriticality(items).map((i) => i.id)).toEqual(['css1', 'css2', 'font', 'sync', 'mod', 'img', 'icon']);
    expect(CRITICALITY).toEqual(['style', 'font', 'blocking-script', 'script', 'image', 'other']);
  });

  it('maps order to weights 256 → 1 so that sorting by weight reproduces it', () => {
    expect([0, 1, 2, 254, 255, 256, 1000].map(weightAt)).toEqual([256, 255, 254, 2, 1, 1, 1]);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 254 }), (i) => weightAt(i) > weightAt(i + 1)),
    );
  });
});

describe('extractFile never throws (property)', () => {
  const tags = fc.constantFrom('<img src=', '<link rel=stylesheet href=', '<script src=', '<style>', '</style>', '<template>', '<svg><use href=', '<base href=', '"', "'", '>', ' srcset="a 1x, b 2x"', '<!--', '<![CDATA[', 'url(', ')', '@import ', ';', '{', '}', 'image-set(', '\u0000', '\uFFFD', 'é');
  it('on HTML-ish and CSS-ish noise, and its output clones', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(tags, fc.string({ maxLength: 5 })), { maxLength: 40 }), (parts) => {
        const text = parts.join('');
        for (const kind of ['html', 'css'] as const) {
          const result = extractFile(kind, text);
          expect(structuredClone(result)).toEqual(result);
          for (const ref of result.refs) expect(ref.line).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 300 },
    );
  });
});
