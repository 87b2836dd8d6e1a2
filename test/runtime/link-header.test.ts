import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatLink, formatLinks, parseLinkHeader, relTokens, resourceLink, type LinkValue } from '@push-manifest/core/runtime';
import type { Resource } from '@push-manifest/core/manifest';

const res = (r: Partial<Resource> & Pick<Resource, 'url' | 'type'>): Resource => ({ weight: 1, ...r });

describe('resourceLink + formatLink', () => {
  it('writes rel=preload with as, crossorigin for fonts, modulepreload for modules, media quoted, nopush last', () => {
    expect(formatLink(resourceLink(res({ url: '/app.css', type: 'style' }), false))).toBe('</app.css>; rel=preload; as=style');
    expect(formatLink(resourceLink(res({ url: '/f.woff2', type: 'font' }), false))).toBe('</f.woff2>; rel=preload; as=font; crossorigin');
    expect(formatLink(resourceLink(res({ url: '/m.js', type: 'script', rel: 'modulepreload', crossorigin: 'anonymous' }), true))).toBe(
      '</m.js>; rel=modulepreload; crossorigin; nopush',
    );
    expect(formatLink(resourceLink(res({ url: '/p.css', type: 'style', media: '(min-width: 40em)' }), true))).toBe(
      '</p.css>; rel=preload; as=style; media="(min-width: 40em)"; nopush',
    );
    expect(formatLink(resourceLink(res({ url: '/x.js', type: 'script', crossorigin: 'use-credentials' }), false))).toBe(
      '</x.js>; rel=preload; as=script; crossorigin=use-credentials',
    );
  });

  it('refuses URLs and values that would break or inject into the header', () => {
    for (const url of ['/a\r\nSet-Cookie: x=1', '/a>b', '/a b', '', '/a<b', '/a\u0000']) {
      expect(() => formatLink({ url, params: [['rel', 'preload']] })).toThrow(TypeError);
    }
    expect(() => formatLink({ url: '/a', params: [['media', 'x\ny']] })).toThrow(TypeError);
    expect(() => formatLink({ url: '/a', params: [['bad name', 'x']] })).toThrow(TypeError);
  });

  it('escapes quotes and backslashes in quoted values', () => {
    expect(formatLink({ url: '/a', params: [['title', 'say "hi" \\o/']] })).toBe('</a>; title="say \\"hi\\" \\\\o/"');
  });
});

describe('parseLinkHeader', () => {
  it('splits links at top-level commas only, lower-cases names, first parameter wins', () => {
    const links = parseLinkHeader('</a,b.css>; REL="preload stylesheet"; media="x, y"; rel=other, <https://x.example/c>;rel=preconnect,</d>');
    expect(links.map((l) => l.url)).toEqual(['/a,b.css', 'https://x.example/c', '/d']);
    expect(relTokens(links[0]!)).toEqual(['preload', 'stylesheet']);
    expect(links[0]!.params.get('media')).toBe('x, y');
    expect(links[1]!.params.get('rel')).toBe('preconnect');
    expect(links[2]!.params.size).toBe(0);
  });

  it('skips malformed links and keeps going; never throws', () => {
    const links = parseLinkHeader('garbage, </ok>; rel=preload, </bad>; "oops", </ok2>; rel=preload; nopush');
    expect(links.map((l) => l.url)).toEqual(['/ok', '/ok2']);
    expect(links[1]!.params.has('nopush')).toBe(true);
    expect(parseLinkHeader('</unterminated>; a="x')).toEqual([]);
    expect(parseLinkHeader('<')).toEqual([]);
    expect(parseLinkHeader('')).toEqual([]);
  });

  it('bounds the number of links it returns', () => {
    expect(parseLinkHeader(Array.from({ length: 100 }, (_, i) => `</${i}>`).join(','), 10)).toHaveLength(10);
  });

  it('round-trips what formatLinks writes (property)', () => {
    const token = fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,12}$/);
    const value = fc.oneof(fc.constant(undefined), token, fc.string({ unit: fc.constantFrom(...' abc,;="\\\t<>()/:xyz'.split('')), maxLength: 20 }));
    const url = fc.stringMatching(/^\/[A-Za-z0-9/._~%!$&'()*+,;=:@?-]{0,30}$/);
    const link = fc.record({ url, params: fc.array(fc.tuple(token, value), { maxLength: 5 }) });
    fc.assert(
      fc.property(fc.array(link, { minLength: 1, maxLength: 5 }), (links) => {
        const parsed = parseLinkHeader(formatLinks(links as LinkValue[]));
        expect(parsed.map((l) => l.url)).toEqual(links.map((l) => l.url));
        links.forEach((l, i) => {
          const expected = new Map<string, string>();
          for (const [name, v] of l.params) if (!expected.has(name.toLowerCase())) expected.set(name.toLowerCase(), v ?? '');
          expect(parsed[i]!.params).toEqual(expected);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on arbitrary input (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        expect(Array.isArray(parseLinkHeader(text))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
