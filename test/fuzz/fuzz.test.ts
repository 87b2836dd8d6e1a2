/**
 * Property tests on what takes hostile input. The suite runs each target 200 times with a fixed
 * seed; `pnpm fuzz` runs 10,000 per target (FUZZ_RUNS) with a fresh seed it prints (FUZZ_SEED to
 * replay one). Targets: the crawler's HTML and CSS extractors on arbitrary bytes (never throw),
 * the manifest reader and the runtime's route table on arbitrary JSON (only PushManifestError,
 * with a JSON path), the Link writer (its output parses back, with the independent RFC 8288
 * parser `http-link-header`, to the same links), and the request-path decoder (never a path
 * outside the root).
 */
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import LinkHeader from 'http-link-header';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBytes } from '../../packages/core/src/crawl/extract.js';
import { parseManifest } from '../../packages/core/src/manifest/read.js';
import { isPushManifestError } from '../../packages/core/src/errors.js';
import { formatLinks, isSafeLinkUrl, isToken, type LinkValue } from '../../packages/core/src/runtime/link-header.js';
import { RouteTable } from '../../packages/core/src/runtime/route-table.js';
import { parseRequestPath } from '../../packages/core/src/runtime/safe-path.js';
import { isInsideRoot as isInside } from '../../packages/core/src/util/served-path.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const SEED = Number(process.env.FUZZ_SEED ?? (process.env.FUZZ_RUNS === undefined ? 20261201 : Date.now() % 2 ** 31));
const counts: Record<string, number> = {};
const options = { numRuns: RUNS, seed: SEED, endOnFailure: true };
/** The property, counting the inputs it really ran (the figure `pnpm fuzz` reports). */
const counted = <T extends unknown[], R>(name: string, check: (...args: T) => R) => {
  counts[name] = 0;
  return (...args: T): R => {
    counts[name]!++;
    return check(...args);
  };
};

afterAll(() => {
  if (process.env.FUZZ_RUNS !== undefined) console.log(`fuzz seed ${SEED}: ${JSON.stringify(counts)}`);
});

/** Pieces of markup, so that random input reaches the parsers' interesting states. */
const HTML_BITS = ['<', '>', '</', '<link rel=stylesheet href=', '<link rel=preload as=font href="', '<img srcset="', ' 2x, ', '<picture><source type="image/avif" srcset=', '<script type=module>', 'import "./a.js";', 'import("', '</script>', '<style>', '</style>', '@import url(', 'url(', '"', "'", ' ', '=', '/', '<!--', '-->', '<base href=', '<template>', '<svg><image href=', '&amp;', '\u0000', '\uFFFD', '<meta http-equiv=refresh content="0;url='];
const CSS_BITS = ['@import', ' url(', ')', '"', "'", '{', '}', ';', ':', '@font-face{font-family:f;src:url(', 'format("woff2")', '@media screen{', 'image-set(', ' 1x', ',', '/*', '*/', '\\', '\n', 'background:url(', '@supports', '!important', '\u0000'];
const markup = (bits: string[]) =>
  fc.array(fc.oneof(fc.constantFrom(...bits), fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 6 })), { maxLength: 60 }).map((parts) => parts.join(''));
const bytesOf = (text: fc.Arbitrary<string>) => fc.oneof(text.map((t) => new TextEncoder().encode(t)), fc.uint8Array({ maxLength: 600 }));

describe('fuzz: the crawler never throws on arbitrary bytes', () => {
  it('found by pnpm fuzz: an inline module script in the first HTML parsed (the lexer was not ready)', async () => {
    const extract = await parseBytes('html', new TextEncoder().encode('<script type=module>import "./a.js";</script>'));
    expect(Array.isArray(extract.refs)).toBe(true);
  });

  it.each([
    ['html', HTML_BITS],
    ['css', CSS_BITS],
  ] as const)('%s', async (kind, bits) => {
    await fc.assert(
      fc.asyncProperty(
        bytesOf(markup(bits)),
        counted(`crawl-${kind}`, async (bytes: Uint8Array) => {
          const extract = await parseBytes(kind, bytes);
          expect(Array.isArray(extract.refs)).toBe(true);
        }),
      ),
      options,
    );
  });
});

const jsonish = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.jsonValue({ maxDepth: 2 }), tie('resources'), tie('pages')),
  resource: fc.record(
    {
      url: fc.oneof(fc.constantFrom('/a.css', '/b.js', 'https://x.example/f.woff2', '', '/a b', '/\r\n', '//evil', '../x'), fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 })),
      type: fc.oneof(fc.constantFrom('style', 'script', 'font', 'image', 'document', 'fetch'), fc.string({ maxLength: 6 }), fc.integer()),
      weight: fc.oneof(fc.integer({ min: -2, max: 5 }), fc.double(), fc.string({ maxLength: 3 })),
      crossorigin: fc.oneof(fc.constantFrom('anonymous', 'use-credentials', ''), fc.boolean()),
      nopush: fc.oneof(fc.boolean(), fc.string({ maxLength: 3 })),
      rel: fc.constantFrom('preload', 'modulepreload', 'prefetch', 'x'),
    },
    { requiredKeys: [] },
  ),
  resources: fc.oneof(fc.array(tie('resource'), { maxLength: 4 }), fc.dictionary(fc.constantFrom('/a.css', '/b.js', 'x', ''), tie('resource'), { maxKeys: 3 })),
  pages: fc.dictionary(fc.oneof(fc.constantFrom('/index.html', '/', '*', '/about/', '/a/*', 'x', ''), fc.string({ maxLength: 6 })), fc.oneof(tie('resources'), tie('resource'), fc.jsonValue({ maxDepth: 1 })), { maxKeys: 3 }),
}));

describe('fuzz: the manifest readers on arbitrary JSON', () => {
  it('only PushManifestError, with a JSON path, from parseManifest and RouteTable.fromManifest', () => {
    fc.assert(
      fc.property(
        fc.oneof(jsonish.value, jsonish.pages, fc.record({ pages: jsonish.pages, preconnect: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: [] })),
        counted('manifest', (json: unknown) => {
          try {
            RouteTable.fromManifest(parseManifest(json));
          } catch (error) {
            expect(isPushManifestError(error), String(error)).toBe(true);
            if (isPushManifestError(error)) {
              expect(error.code).toBe('INVALID_MANIFEST');
              expect(Array.isArray(error.path), error.message).toBe(true);
            }
          }
        }),
      ),
      options,
    );
  });
});

const urlChar = fc.constantFrom(...'/abcXYZ019-._~%?#[]@!$&\'()*+,;=:'.split(''), 'é', '\u2028');
const paramName = fc.stringMatching(/^[a-z][a-z0-9-]{0,7}$/).filter((name) => name !== 'rel' && name !== 'anchor');
const paramValue = fc.oneof(fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,8}$/), fc.string({ maxLength: 10 }).filter((v) => !/[\u0000-\u0008\u000a-\u001f\u007f]/.test(v)));
const link: fc.Arbitrary<LinkValue> = fc.record({
  url: fc.array(urlChar, { minLength: 1, maxLength: 20 }).map((chars) => `/${chars.join('')}`).filter(isSafeLinkUrl),
  params: fc
    .uniqueArray(fc.tuple(paramName, paramValue), { selector: ([name]) => name, maxLength: 4 })
    .map((params) => [['rel', 'preload'] as [string, string], ...params]),
});

describe('fuzz: the Link writer', () => {
  it('its output parses back, with an RFC 8288 parser, to the same links', () => {
    fc.assert(
      fc.property(
        fc.array(link, { minLength: 1, maxLength: 5 }),
        counted('link', (links: LinkValue[]) => {
          for (const l of links) for (const [name] of l.params) expect(isToken(name)).toBe(true);
          const header = formatLinks(links);
          const parsed = LinkHeader.parse(header).refs;
          expect(parsed.map((ref) => ref.uri)).toEqual(links.map((l) => l.url));
          parsed.forEach((ref, index) => {
            const expected = Object.fromEntries((links[index] as LinkValue).params.map(([name, value]) => [name, value ?? '']));
            const { uri: _uri, ...params } = ref;
            expect(params).toEqual(expected);
          });
        }),
      ),
      options,
    );
  });
});

const ROOT = resolve('/srv/site');
const pathBits = fc.constantFrom('/', '..', '.', '%2e', '%2E%2e', '%2f', '%5c', '\\', '%00', '%', '%25', '%252e', 'a', '.env', '.well-known', 'C:', '//', '?', '#', '%3f', 'é', '%c3%a9', '%e0%a4%a', '~', ';', '%u002e');

describe('fuzz: the request-path decoder', () => {
  it('never yields a path outside the root (it throws BAD_PATH instead)', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.array(fc.oneof(pathBits, fc.string({ maxLength: 4 })), { maxLength: 16 }).map((parts) => parts.join('')), fc.string({ unit: 'binary', maxLength: 40 })),
        counted('request-path', (raw: string) => {
          let segments: string[];
          try {
            segments = parseRequestPath(raw).segments;
          } catch (error) {
            expect(isPushManifestError(error) && error.code === 'BAD_PATH', String(error)).toBe(true);
            return;
          }
          const joined = join(ROOT, ...segments);
          expect(isInside(ROOT, joined), `${JSON.stringify(raw)} → ${joined}`).toBe(true);
          for (const segment of segments) {
            expect(segment).not.toBe('..');
            expect(segment.includes('/') || segment.includes('\0') || segment.includes('\\')).toBe(false);
          }
        }),
      ),
      options,
    );
  });
});
