import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveRef, SITE_ORIGIN, type Site } from '../../packages/core/src/crawl/resolve.js';
import { resolveRefMemo } from '../../packages/core/src/crawl/resolve-memo.js';
import type { Ref } from '../../packages/core/src/crawl/types.js';

// The memo shares a resolution between base URLs of one origin, for `/paths`:
// whatever order refs and bases come in, it must give exactly what resolveRef gives.
const bases = [
  `${SITE_ORIGIN}/index.html`,
  `${SITE_ORIGIN}/about.html`,
  `${SITE_ORIGIN}/blog/post.html`,
  `${SITE_ORIGIN}/blog/other.html?q=/x/y`,
  `${SITE_ORIGIN}/blog/deep/a.html#/frag/`,
  `${SITE_ORIGIN}/blog/`,
  'https://cdn.example.com/lib/a.html',
  'https://cdn.example.com/b.html',
  'http://example.com/x/y.html',
  'file:///srv/a.html',
  'foo://host/a/b',
  'mailto:someone',
];
const pieces = ['', '/', '//', '\\', '/\\', '/\t/', '.', '..', '../', './', 'a', 'img', 'x.png', '%2e%2e', '%2F', '?v=1', '#h', 'https:', 'http:', 'data:', ' ', '\t', 'é', 'cdn.example.com', 'blog'];

describe('resolveRefMemo', () => {
  it('gives what resolveRef gives, for any sequence of refs and bases', () => {
    fc.assert(
      fc.property(
        // A few refs, each used many times against different bases: what a memo can get wrong.
        fc.array(fc.array(fc.constantFrom(...pieces), { maxLength: 5 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom(...bases), fc.boolean()), { minLength: 1, maxLength: 60 }),
        (refs, calls) => {
          // A fresh site per run: the memo is per site.
          const site: Site = { root: '/srv/site', base: '/', origins: new Set(['https://example.com']) };
          for (const [which, base, module] of calls) {
            const url = ['/', ...refs[which % refs.length]!].join('');
            for (const candidate of [url, url.slice(1)]) {
              const ref: Ref = { url: candidate, source: module ? 'js-import' : 'img', line: 1, column: 1 };
              const baseUrl = new URL(base);
              expect(resolveRefMemo(ref, baseUrl, site)).toEqual(resolveRef(ref.url, baseUrl, site, { bareIsModule: module }));
            }
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
