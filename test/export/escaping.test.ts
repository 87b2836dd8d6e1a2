/** Escaping is total: any page path, written by a target's escaper, matches itself and nothing longer. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firebaseGlob, vercelSource } from '@push-manifest/core/export';
import { firebaseLinks, vercelLinks } from './readers.js';
import { exactRegex } from '../../packages/core/src/export/escape.js';

const path = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 24 }).map((s) => `/${s.replace(/[\u0000-\u001f\u007f]/g, '')}`);
const rule = (value: string) => [{ key: 'Link', value }];

describe('path escaping', () => {
  it('exactRegex (Apache, Caddy, Firebase regex) matches exactly the paths given', () => {
    fc.assert(
      fc.property(path, path, (a, b) => {
        const regex = new RegExp(exactRegex([a, b]));
        expect(regex.test(a) && regex.test(b)).toBe(true);
        if (`${a}x` !== b) expect(regex.test(`${a}x`)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('a Firebase glob and a Vercel source match their own path and not a longer one', () => {
    fc.assert(
      fc.property(path, (p) => {
        const firebase = { hosting: { headers: [{ source: firebaseGlob(p), headers: rule('x') }] } };
        expect(firebaseLinks(firebase, p)).toEqual(['x']);
        expect(firebaseLinks(firebase, `${p}/x`)).toEqual([]);
        const vercel = { headers: [{ source: vercelSource(p), headers: rule('x') }] };
        expect(vercelLinks(vercel, p)).toEqual(['x']);
        expect(vercelLinks(vercel, `${p}/x`)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
