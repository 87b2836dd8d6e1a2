import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ANY_PAGE,
  checkManifest,
  isManifest,
  parseManifest,
  resolveManifestPath,
  serializeManifest,
  unsafeUrlReason,
  validateManifestJson,
  formatProblem,
  type Manifest,
} from '@push-manifest/core/manifest';

const entry = { type: 'script', weight: 1 };

describe('header-injection safety at load', () => {
  const rejected: Array<[string, RegExp]> = [
    ['/a.js\r\nSet-Cookie: x=1', /contains CR/],
    ['/a.js\nX: y', /contains LF/],
    ['/a\0.js', /contains NUL/],
    ['/a\t.js', /contains TAB/],
    ['/a b.js', /contains a space/],
    ['/a\x7f.js', /contains DEL/],
    ['/a\x1b.js', /control character U\+001B/],
    ['/a>.js', /contains ">".*%3E/],
    ['/a<.js', /contains "<"/],
    ['/a".js', /contains "\\""/],
    ['/a\\b.js', /contains "\\\\"/],
    ['/café.js', /non-ASCII/],
    ['/a\u2028.js', /non-ASCII/],
    ['/a%zz.js', /does not start a %XX escape/],
    ['/a%4', /does not start a %XX escape/],
    ['//evil.example/a.js', /not a same-origin path/],
    ['https://evil.example/a.js', /not a same-origin path/],
    ['javascript:alert(1)', /not a same-origin path/],
    ['/a.js#frag', /#fragment/],
    ['/a/../b.js', /"\." or "\.\." segment/],
    ['/a/%2e%2e/b.js', /"\." or "\.\." segment/],
    ['', /is empty/],
  ];
  for (const [url, reason] of rejected) {
    it(`rejects ${JSON.stringify(url)} with the path and the reason`, () => {
      const problems = validateManifestJson({ 'index.html': { [url]: entry } }, { format: 'multi' });
      expect(problems).toHaveLength(1);
      expect(problems[0]?.path).toEqual(['index.html', url]);
      expect(formatProblem(problems[0]!)).toMatch(reason);
      expect(formatProblem(problems[0]!)).not.toMatch(/[\r\n]/);
    });
  }

  it('accepts percent-encoded forms and query strings', () => {
    const manifest = parseManifest({ '/a%0D%0A.js?v=1&x=%2C': entry, '/caf%C3%A9.js': entry, '/a%3Eb.js': entry });
    expect(manifest.pages.get(ANY_PAGE)?.map((r) => r.url)).toEqual(['/a%0D%0A.js?v=1&x=%2C', '/caf%C3%A9.js', '/a%3Eb.js']);
  });

  it('rejects unsafe page keys too', () => {
    const problems = validateManifestJson({ 'a\r\n.html': {}, '^(unclosed$': {} }, { format: 'polymer' });
    expect(problems.map((p) => formatProblem(p))).toEqual([
      '"a\\r\\n.html": page key contains CR at position 1 (percent-encode it)',
      expect.stringMatching(/^"\^\(unclosed\$": page key is not a valid regular expression/),
    ]);
  });

  it('never accepts a URL that could break out of a Link header (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (tail) => {
        const resolved = resolveManifestPath(`/${tail}`);
        // What a runtime puts between < and >: printable ASCII only, no delimiter, not protocol-relative.
        return !resolved.ok || (/^[\x21-\x7e]+$/.test(resolved.path) && !/[<>"]/.test(resolved.path) && !resolved.path.startsWith('//'));
      }),
      { numRuns: 1000 },
    );
  });

  it('rejects every string that contains a dangerous character (property)', () => {
    const dangerous = fc.constantFrom('\r', '\n', '\0', ' ', '<', '>', '"', '\u0085', '\u00a0', '\ud800');
    fc.assert(
      fc.property(fc.string({ maxLength: 10 }), dangerous, fc.string({ maxLength: 10 }), (a, bad, b) => unsafeUrlReason(`/${a}${bad}${b}`) !== undefined),
      { numRuns: 1000 },
    );
  });
});

describe('the writer refuses what the reader would refuse', () => {
  const bad: Array<[string, Manifest]> = [
    ['a CRLF URL', { pages: new Map([['/i.html', [{ url: '/a\r\n.js', type: 'script', weight: 1 }]]]) }],
    ['a relative URL', { pages: new Map([['/i.html', [{ url: 'a.js', type: 'script', weight: 1 }]]]) }],
    ['a weight of 0', { pages: new Map([['/i.html', [{ url: '/a.js', type: 'script', weight: 0 }]]]) }],
    ['an unknown type', { pages: new Map([['/i.html', [{ url: '/a.js', type: 'scripts' as never, weight: 1 }]]]) }],
    ['a media with a quote', { pages: new Map([['/i.html', [{ url: '/a.css', type: 'style', weight: 1, media: 'a"b' }]]]) }],
    [
      'a URL listed twice',
      {
        pages: new Map([
          [
            '/i.html',
            [
              { url: '/a.js', type: 'script', weight: 2 },
              { url: '/a.js', type: 'script', weight: 1 },
            ],
          ],
        ]),
      },
    ],
    ['a page key without a slash', { pages: new Map([['i.html', []]]) }],
    ['a bad preconnect origin', { pages: new Map([['/i.html', []]]), preconnect: new Map([['/i.html', [{ origin: 'https://x.example/path' }]]]) }],
  ];
  for (const [name, manifest] of bad) {
    it(`refuses ${name} (INVALID_MANIFEST)`, () => {
      for (const format of ['multi', 'polymer', 'auto'] as const) {
        expect(() => serializeManifest(manifest, format)).toThrow(expect.objectContaining({ code: 'INVALID_MANIFEST' }));
      }
    });
  }
});

describe('checkManifest (for models built in code)', () => {
  it('lists every problem of a model with its route, URL and field, and none for a good one', () => {
    const manifest: Manifest = {
      pages: new Map([
        ['/i.html', [{ url: '/a.js>; rel=preload', type: 'script', weight: 1 }, { url: '/b.js', type: 'script', weight: 300 }]],
        ['/ok.html', [{ url: '/c.css', type: 'style', weight: 2, media: 'print' }]],
      ]),
    };
    expect(checkManifest(manifest).map((p) => formatProblem(p))).toEqual([
      '"/i.html" → "/a.js>; rel=preload": resource URL contains ">" at position 5 (percent-encode it as %3E)',
      '"/i.html" → "/b.js" → weight: expected an integer from 1 to 256 (got 300)',
    ]);
    expect(checkManifest({ pages: new Map([['/ok.html', manifest.pages.get('/ok.html') ?? []]]) })).toEqual([]);
  });

  it('isManifest tells a model from parsed JSON', () => {
    expect(isManifest({ pages: new Map() })).toBe(true);
    expect(isManifest({ pages: {} })).toBe(false);
    expect(isManifest({ '/a.css': { type: 'style' } })).toBe(false);
    expect(isManifest(null)).toBe(false);
  });
});

describe('characters browsers send raw stay raw', () => {
  it("accepts ', | and ^ unencoded (a browser requests /it's.png as is; an encoded preload would not be reused)", () => {
    expect(validateManifestJson({ "/it's.png": { type: 'image' }, '/a|b^c.png': { type: 'image' }, '/[v1]/x.js': { type: 'script' } })).toEqual([]);
  });

  it('rejects the characters browsers encode in paths themselves: ` { } and \\ (read as /)', () => {
    for (const url of ['/a`b.js', '/a{b}.js', '/a\\b.js']) expect(unsafeUrlReason(url)).toMatch(/percent-encode it as %(60|7B|5C)/);
  });

  it('accepts , and ; raw anywhere, and ` { } \\ raw in the query (what the WHATWG URL parser leaves raw, so what a browser requests)', () => {
    const urls = ['/a,b.css?v=1;2', '/x;y/z,w.js', '/q.js?a={b}&c=`d`&e=\\f'];
    const manifest = parseManifest(Object.fromEntries(urls.map((url) => [url, entry])));
    expect(manifest.pages.get(ANY_PAGE)?.map((r) => r.url)).toEqual(urls);
    for (const url of urls) expect(new URL(url, 'https://x.example').pathname + new URL(url, 'https://x.example').search).toBe(url);
  });
});
