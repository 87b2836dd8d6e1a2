import { describe, expect, it } from 'vitest';
import {
  ANY_PAGE,
  ANY_PAGE_PATTERN,
  detectFormat,
  isPushManifestError,
  parseManifest,
  resolveAutoFormat,
  serializeManifest,
  type Manifest,
  type ManifestFormat,
} from '@push-manifest/core/manifest';
import { fixtureJson, fixtureText, legacyPart, plain } from './helpers.js';

/**
 * A model using every field, two pages in folders, a shared resource, preconnect hints (one with
 * crossorigin), a print stylesheet and a responsive image: the last three are what the old shapes
 * leave out and v1 keeps.
 */
function richManifest(): Manifest {
  return {
    pages: new Map([
      [
        '/index.html',
        [
          { url: '/css/site.css', type: 'style', weight: 256 },
          { url: '/css/print.css', type: 'style', weight: 255, media: 'print', extra: { 'x-owner': 'web-team' } },
          { url: '/css/a,b.css?v=1;2', type: 'style', weight: 254, extra: { 'x-owner': 'web-team', 'x-build': { hash: '3f2a', chunks: [1, 2] } } },
          { url: '/fonts/inter.woff2', type: 'font', weight: 250, crossorigin: 'anonymous' },
          { url: '/js/caf%C3%A9.js', type: 'script', weight: 180 },
          { url: '/img/hero-800.jpg', type: 'image', weight: 120, imagesrcset: '/img/hero-800.jpg 800w, /img/hero-1600.jpg 1600w', imagesizes: '100vw', fetchpriority: 'high', nopush: true },
        ],
      ],
      [
        '/about/index.html',
        [
          { url: '/css/site.css', type: 'style', weight: 256 },
          { url: '/fonts/inter.woff2', type: 'font', weight: 250, crossorigin: 'anonymous' },
          { url: '/js/about.js', type: 'script', weight: 200, crossorigin: 'anonymous', rel: 'modulepreload' },
          { url: '/img/team.avif?v=2', type: 'image', weight: 100, nopush: true, fetchpriority: 'low' },
        ],
      ],
    ]),
    preconnect: new Map([
      [
        '/about/index.html',
        [
          { origin: 'https://fonts.example', crossorigin: 'anonymous' },
          { origin: 'https://img.example' },
        ],
      ],
    ]),
  };
}

describe('our multi format', () => {
  it('writes every field an old reader can use, in a fixed order, matching the golden file', () => {
    expect(serializeManifest(richManifest(), 'multi')).toBe(fixtureText('ours/multi.json'));
  });

  it('reads the golden file back to the legacy part of the model, extra fields included', () => {
    expect(plain(parseManifest(fixtureJson('ours/multi.json')))).toEqual(plain(legacyPart(richManifest())));
  });
});

describe('our v1 format', () => {
  it('writes every hint, preconnect crossorigin, media and responsive images included, matching the golden file', () => {
    expect(serializeManifest(richManifest(), 'v1')).toBe(fixtureText('ours/v1.json'));
  });

  it('reads the golden file back to the whole model', () => {
    expect(detectFormat(fixtureJson('ours/v1.json'))).toBe('v1');
    expect(plain(parseManifest(fixtureJson('ours/v1.json')))).toEqual(plain(richManifest()));
  });

  it('keeps pattern and any-page routes, and lists one origin twice when both kinds of connection are wanted', () => {
    const manifest: Manifest = {
      pages: new Map([
        ['^/shop/.*$', [{ url: '/shop.css', type: 'style', weight: 2 }]],
        [ANY_PAGE, [{ url: '/site.css', type: 'style', weight: 1 }]],
      ]),
      preconnect: new Map([[ANY_PAGE, [{ origin: 'https://cdn.example' }, { origin: 'https://cdn.example', crossorigin: 'anonymous' }]]]),
    };
    const text = serializeManifest(manifest, 'v1');
    expect(plain(parseManifest(JSON.parse(text)))).toEqual(plain(manifest));
    expect(serializeManifest(parseManifest(JSON.parse(text)), 'v1')).toBe(text);
  });

  it('refuses a version it does not know, and names preconnect origins put among the resources', () => {
    expect(() => parseManifest({ 'push-manifest': 2, pages: {} })).toThrow(/"push-manifest": version 2 is not one this reader knows \(1\)/);
    expect(() => parseManifest({ 'push-manifest': 1, pages: { '/i.html': { resources: { 'https://x.example': { rel: 'preconnect' } } } } })).toThrow(
      /preconnect origins go in the page's "preconnect" list/,
    );
    expect(() => parseManifest({ 'push-manifest': 1, pages: { 'i.html': {} } })).toThrow(/page key must be an absolute path/);
  });
});

describe('round trips', () => {
  const formats: ManifestFormat[] = ['multi', 'polymer', 'v1'];
  for (const format of formats) {
    it(`${format}: model → text → model keeps what the format carries, and text → model → text is the identity`, () => {
      const text = serializeManifest(richManifest(), format);
      const reread = parseManifest(JSON.parse(text), { format });
      expect(plain(reread)).toEqual(plain(format === 'v1' ? richManifest() : legacyPart(richManifest())));
      expect(serializeManifest(reread, format)).toBe(text);
      // Auto-detection agrees with the format we wrote.
      expect(detectFormat(JSON.parse(text))).toBe(format);
    });
  }

  it('single: one page round-trips through the any-page route, extras included, preconnect left out', () => {
    const page = richManifest().pages.get('/index.html') ?? [];
    const manifest: Manifest = { pages: new Map([[ANY_PAGE, page]]), preconnect: new Map([[ANY_PAGE, [{ origin: 'https://cdn.example:8443' }]]]) };
    const text = serializeManifest(manifest, 'single');
    expect(detectFormat(JSON.parse(text))).toBe('single');
    expect(plain(parseManifest(JSON.parse(text)))).toEqual(plain(legacyPart(manifest)));
    expect(Object.keys(JSON.parse(text))).toEqual(['/css/site.css', '/css/a,b.css?v=1;2', '/fonts/inter.woff2', '/js/caf%C3%A9.js']);
  });

  it('still reads the preconnect entries older versions wrote into the old shapes, with crossorigin', () => {
    const manifest = parseManifest({ '/a.css': { type: 'style' }, 'https://f.example': { rel: 'preconnect', crossorigin: 'anonymous' }, 'https://g.example': { rel: 'preconnect' } });
    expect(manifest.preconnect?.get(ANY_PAGE)).toEqual([{ origin: 'https://f.example', crossorigin: 'anonymous' }, { origin: 'https://g.example' }]);
  });

  it('unknown per-resource fields survive every format', () => {
    const json = { '/a.js': { type: 'script', weight: 3, 'x-hash': 'abc', priority: { urgency: 2 }, list: [true, null] } };
    const manifest = parseManifest(json);
    expect(manifest.pages.get(ANY_PAGE)?.[0]?.extra).toEqual({ 'x-hash': 'abc', priority: { urgency: 2 }, list: [true, null] });
    for (const format of ['single', 'multi', 'polymer'] as const) {
      const reread = parseManifest(JSON.parse(serializeManifest(manifest, format)));
      expect(reread.pages.get(ANY_PAGE)?.[0]?.extra).toEqual({ 'x-hash': 'abc', priority: { urgency: 2 }, list: [true, null] });
    }
  });

  it('an unknown field named __proto__ stays data and round-trips', () => {
    const text = '{"/a.js":{"type":"script","weight":1,"__proto__":{"polluted":true}}}';
    const manifest = parseManifest(JSON.parse(text));
    const extra = manifest.pages.get(ANY_PAGE)?.[0]?.extra ?? {};
    expect(Object.getPrototypeOf(extra)).toBe(Object.prototype);
    expect(Object.keys(extra)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.parse(serializeManifest(manifest, 'single'))).toEqual(JSON.parse(text));
    expect(serializeManifest(manifest, 'single')).toContain('"__proto__": {');
  });

  it('the any-page route is * in multi and ^.*$ in polymer, and reads back from both', () => {
    const manifest = parseManifest({ '/a.css': { type: 'style', weight: 1 } });
    const multi = JSON.parse(serializeManifest(manifest, 'multi')) as Record<string, unknown>;
    const polymer = JSON.parse(serializeManifest(manifest, 'polymer')) as Record<string, unknown>;
    expect(Object.keys(multi)).toEqual(['*']);
    expect(Object.keys(polymer)).toEqual([ANY_PAGE_PATTERN]);
    expect([...parseManifest(multi).pages.keys()]).toEqual([ANY_PAGE]);
    expect([...parseManifest(polymer).pages.keys()]).toEqual([ANY_PAGE]);
    expect(serializeManifest(parseManifest(polymer), 'single')).toBe(serializeManifest(manifest, 'single'));
  });
});

describe('multi page keys', () => {
  it('reads keys with or without a leading slash and writes them without', () => {
    const manifest = parseManifest({ '/about/index.html': { '/a.css': { type: 'style', weight: 1 } }, 'blog/index.html': {} }, { format: 'multi' });
    expect([...manifest.pages.keys()]).toEqual(['/about/index.html', '/blog/index.html']);
    expect(Object.keys(JSON.parse(serializeManifest(manifest, 'multi')) as object)).toEqual(['about/index.html', 'blog/index.html']);
  });

  it('keeps two index.html in different folders apart (the old tool let them collide)', () => {
    const manifest: Manifest = {
      pages: new Map([
        ['/a/index.html', [{ url: '/a.css', type: 'style', weight: 1 }]],
        ['/b/index.html', [{ url: '/b.css', type: 'style', weight: 1 }]],
      ]),
    };
    const json = JSON.parse(serializeManifest(manifest, 'multi')) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['a/index.html', 'b/index.html']);
    expect(plain(parseManifest(json))).toEqual(plain(manifest));
  });

  it('reports two keys naming the same page instead of letting one overwrite the other', () => {
    expect(() => parseManifest({ 'index.html': {}, '/index.html': {} }, { format: 'multi', file: 'm.json' })).toThrow(
      'm.json: "/index.html": same page as "index.html" (both are /index.html)',
    );
  });

  it('refuses a regular-expression key in the multi format, and to write a pattern as multi', () => {
    expect(() => parseManifest({ '^/x/.*$': {} }, { format: 'multi' })).toThrow(/only the polymer format has/);
    const manifest: Manifest = { pages: new Map([['^/x/.*$', []]]) };
    expect(() => serializeManifest(manifest, 'multi')).toThrow(expect.objectContaining({ code: 'BAD_OPTION' }));
  });
});

describe('format limits', () => {
  it('refuses to write several pages as single (BAD_OPTION), rather than merging them', () => {
    let caught: unknown;
    try {
      serializeManifest(richManifest(), 'single');
    } catch (error) {
      caught = error;
    }
    expect(isPushManifestError(caught) && caught.code).toBe('BAD_OPTION');
    expect((caught as Error).message).toMatch(/single format holds one page.*has 2/);
  });

  it('writes a one-page manifest as single, dropping only the page key', () => {
    const manifest: Manifest = { pages: new Map([['/only.html', [{ url: '/a.css', type: 'style', weight: 1 }]]]) };
    expect(JSON.parse(serializeManifest(manifest, 'single'))).toEqual({ '/a.css': { type: 'style', weight: 1 } });
  });

  it('an empty manifest is {} in every format', () => {
    for (const format of ['single', 'multi', 'polymer', 'auto'] as const) {
      expect(serializeManifest({ pages: new Map() }, format)).toBe('{}\n');
    }
    expect(JSON.parse(serializeManifest({ pages: new Map() }, 'v1'))).toEqual({ 'push-manifest': 1, pages: {} });
    expect(parseManifest({}).pages.size).toBe(0);
  });
});

describe('reading details', () => {
  it('reads crossorigin "" and true as anonymous, false as absent', () => {
    const manifest = parseManifest({
      '/a.woff2': { type: 'font', weight: 1, crossorigin: '' },
      '/b.woff2': { type: 'font', weight: 1, crossorigin: true },
      '/c.woff2': { type: 'font', weight: 1, crossorigin: false },
      '/d.js': { type: 'script', weight: 1, crossorigin: 'use-credentials' },
    });
    expect(manifest.pages.get(ANY_PAGE)?.map((r) => r.crossorigin)).toEqual(['anonymous', 'anonymous', undefined, 'use-credentials']);
  });

  it('defaults a missing weight to 1 and orders by weight descending, ties in file order', () => {
    const manifest = parseManifest({
      '/low.js': { type: 'script' },
      '/high.css': { type: 'style', weight: 200 },
      '/tie-a.js': { type: 'script', weight: 50 },
      '/tie-b.js': { type: 'script', weight: 50 },
    });
    expect(manifest.pages.get(ANY_PAGE)?.map((r) => [r.url, r.weight])).toEqual([
      ['/high.css', 200],
      ['/tie-a.js', 50],
      ['/tie-b.js', 50],
      ['/low.js', 1],
    ]);
  });

  it('resolves polymer dot segments against base and refuses to climb above the root', () => {
    const manifest = parseManifest({ 'index.html': { '../shared/x.js': { type: 'script' }, './y.js': { type: 'script' } } }, { format: 'polymer', base: '/app/v2' });
    expect(manifest.pages.get('/app/v2/index.html')?.map((r) => r.url)).toEqual(['/app/shared/x.js', '/app/v2/y.js']);
    expect(() => parseManifest({ 'index.html': { '../../x.js': { type: 'script' } } }, { format: 'polymer', base: '/app/' })).toThrow(
      /"index.html" → "..\/..\/x.js": resource URL climbs above the site root/,
    );
  });

  it('refuses relative resource URLs outside the polymer format', () => {
    expect(() => parseManifest({ 'index.html': { 'app.js': { type: 'script' } } }, { format: 'multi' })).toThrow(
      /"index.html" → "app.js": resource URL must be an absolute path from the site root/,
    );
  });

  it('refuses a bad base option', () => {
    expect(() => parseManifest({}, { base: 'relative/' })).toThrow(expect.objectContaining({ code: 'BAD_OPTION' }));
  });

  it('an entry listed twice through different spellings is a problem, not a silent merge', () => {
    expect(() => parseManifest({ 'index.html': { 'a.js': { type: 'script' }, '/a.js': { type: 'script' } } }, { format: 'polymer' })).toThrow(
      /"\/a.js": same resource as "a.js"/,
    );
  });
});

describe('detectFormat', () => {
  it('tells the shapes apart', () => {
    expect(detectFormat({ '/a.css': { type: 'style', weight: 1 } })).toBe('single');
    expect(detectFormat({ '/a.css': { weight: 1 } })).toBe('single');
    expect(detectFormat({ 'index.html': { '/a.css': { type: 'style' } } })).toBe('multi');
    expect(detectFormat({ 'index.html': { 'a.css': { type: 'style' } } })).toBe('polymer');
    expect(detectFormat({ '/index.html': { '/a.css': { type: 'style' } } })).toBe('polymer');
    expect(detectFormat({ '^/x$': { '/a.css': { type: 'style' } } })).toBe('polymer');
    expect(detectFormat({ 'index.html': { 'https://fonts.example': { rel: 'preconnect' } } })).toBe('multi');
    expect(detectFormat({})).toBe('single');
    expect(detectFormat([])).toBe('single');
  });
});

describe('auto and the site page count', () => {
  const one: Manifest = { pages: new Map([['/index.html', [{ url: '/a.css', type: 'style', weight: 1 }]]]) };
  it('picks single only when the site has one page, not when one page was crawled', () => {
    expect(resolveAutoFormat(one)).toBe('single');
    expect(resolveAutoFormat(one, { sitePages: 1 })).toBe('single');
    expect(resolveAutoFormat(one, { sitePages: 12 })).toBe('multi');
    expect(Object.keys(JSON.parse(serializeManifest(one, 'auto', { sitePages: 12 })) as object)).toEqual(['index.html']);
  });
});

describe('polymer keys escaped for prpl-server', () => {
  const routes = ['/index.html', '/c++/index.html', '/a.b/index.html', '/f(x).html', '/[v1]/x|y^z$.html', '/plain', '/docs/'];
  it('writes every regular-expression character escaped, a folder index with its folder alias, and reads each back to its route', () => {
    const manifest: Manifest = { pages: new Map(routes.map((route) => [route, [{ url: '/a.css', type: 'style', weight: 1 }]])) };
    const json = JSON.parse(serializeManifest(manifest, 'polymer')) as Record<string, unknown>;
    expect(Object.keys(json).sort()).toEqual(
      ['/index\\.html', '/c\\+\\+/(?:index\\.html)?', '/a\\.b/(?:index\\.html)?', '/f\\(x\\)\\.html', '/\\[v1\\]/x\\|y\\^z\\$\\.html', '/plain', '/docs/'].sort(),
    );
    // As prpl-server compiles them: ^key$ matches the page (and a folder index's folder URL), nothing else.
    const compiled = Object.keys(json).map((key) => new RegExp(`^${key}$`));
    for (const route of routes) expect(compiled.filter((regex) => regex.test(route)), route).toHaveLength(1);
    for (const other of ['/aXb/index.html', '/c+/index.html', '/fx.html', '/index-html', '/f(x)Xhtml']) expect(compiled.filter((regex) => regex.test(other)), other).toEqual([]);
    expect(compiled.filter((regex) => regex.test('/c++/'))).toHaveLength(1);
    expect([...parseManifest(json, { format: 'polymer' }).pages.keys()].sort()).toEqual([...routes].sort());
  });

  it('reads a hand-written key with unescaped syntax as before: a pattern when anchored, else a literal path', () => {
    expect([...parseManifest({ '^/shop/.*$': {} }, { format: 'polymer' }).pages.keys()]).toEqual(['^/shop/.*$']);
    expect([...parseManifest({ '/a.html': {} }, { format: 'polymer' }).pages.keys()]).toEqual(['/a.html']);
    expect(() => parseManifest({ '/a\\.html|/b': {} }, { format: 'polymer' })).toThrow(/contains "\\\\"/);
  });
});
