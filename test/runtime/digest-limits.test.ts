/**
 * The digest cookie's limits: it always fits in the 4 KB browsers keep, whatever the hashes.
 */
import { describe, expect, it } from 'vitest';
import { CacheDigest, createPushHandler, DIGEST_MAX_ENTRIES_LIMIT, maxDigestEntries } from '@push-manifest/core/runtime';

describe('digest size', () => {
  it('the largest digest allowed, filled, still fits in a 4 KB cookie', () => {
    for (const seed of [1, 2, 3]) {
      const digest = CacheDigest.empty(DIGEST_MAX_ENTRIES_LIMIT);
      for (let i = 0; i < DIGEST_MAX_ENTRIES_LIMIT * 2; i++) digest.add(`/asset-${seed}-${i}.js`, `W/"${i}"`);
      const cookie = `pm_digest=${digest.encode()}`;
      expect(cookie.length).toBeLessThanOrEqual(4096);
      // Round trip: what was encoded decodes to the same set size.
      expect(CacheDigest.decode(digest.encode(), DIGEST_MAX_ENTRIES_LIMIT).size).toBe(digest.size);
    }
  });

  it('a maxEntries that could pass 4 KB is refused with a clear error', async () => {
    await expect(createPushHandler({ manifest: { pages: new Map() }, digest: { maxEntries: DIGEST_MAX_ENTRIES_LIMIT + 1 } })).rejects.toThrow(/maxEntries/);
    await expect(createPushHandler({ manifest: { pages: new Map() }, digest: { maxEntries: DIGEST_MAX_ENTRIES_LIMIT } })).resolves.toBeDefined();
    // A longer cookie name leaves less room for the value.
    const long = 'x'.repeat(200);
    expect(maxDigestEntries(long)).toBeLessThan(DIGEST_MAX_ENTRIES_LIMIT);
    await expect(createPushHandler({ manifest: { pages: new Map() }, digest: { cookie: long, maxEntries: DIGEST_MAX_ENTRIES_LIMIT } })).rejects.toThrow(/maxEntries/);
  });
});
