import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CacheDigest, digestSetCookie, PushDiary, readCookie } from '@push-manifest/core/runtime';

describe('CacheDigest', () => {
  it('round-trips path+ETag entries through the cookie value', () => {
    const digest = CacheDigest.empty();
    digest.add('/app.css', '"abc"');
    digest.add('/font.woff2', 'W/"1-2"');
    const value = digest.encode();
    expect(value).toMatch(/^[A-Za-z0-9_-]+$/);
    const back = CacheDigest.decode(value);
    expect(back.size).toBe(2);
    expect(back.has('/app.css', '"abc"')).toBe(true);
    expect(back.has('/font.woff2', 'W/"1-2"')).toBe(true);
    // A changed ETag is a different entry: the file is pushed again.
    expect(back.has('/app.css', '"abd"')).toBe(false);
    expect(back.has('/other.css', '"abc"')).toBe(false);
  });

  it('stays compact and bounded', () => {
    const digest = CacheDigest.empty(256);
    for (let i = 0; i < 256; i++) digest.add(`/assets/file-${i}.js`, `"${i}"`);
    const value = digest.encode();
    expect(value.length).toBeLessThan(800);
    expect(CacheDigest.decode(value, 256).size).toBe(256);
    // One more starts afresh rather than growing without bound.
    digest.add('/one-more.js', '"x"');
    expect(digest.size).toBe(1);
    // A cookie with more entries than allowed is ignored.
    expect(CacheDigest.decode(value, 100).size).toBe(0);
  });

  it('decodes garbage to an empty digest and never throws (property)', () => {
    for (const junk of ['', '!!!', 'AQ', 'AQAAAQ', 'x'.repeat(5000), Buffer.from([1, 30, 0, 5, 255, 255]).toString('base64url')]) {
      expect(CacheDigest.decode(junk).size).toBe(0);
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const digest = CacheDigest.decode(Buffer.from(bytes).toString('base64url'));
        expect(digest.size).toBeLessThanOrEqual(256);
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips any set of entries (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(fc.string({ maxLength: 20 }), fc.string({ maxLength: 10 })), { maxLength: 60 }), (entries) => {
        const digest = CacheDigest.empty();
        for (const [path, etag] of entries) digest.add(path, etag);
        const back = CacheDigest.decode(digest.encode());
        expect(back.size).toBe(digest.size);
        for (const [path, etag] of entries) expect(back.has(path, etag)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('digest cookie helpers', () => {
  it('reads one cookie out of a cookie header, also a split HTTP/2 one', () => {
    expect(readCookie('a=1; pm_digest=XYZ; b=2', 'pm_digest')).toBe('XYZ');
    expect(readCookie(['a=1', 'pm_digest=Q'], 'pm_digest')).toBe('Q');
    expect(readCookie('xpm_digest=1', 'pm_digest')).toBeUndefined();
    expect(readCookie(undefined, 'pm_digest')).toBeUndefined();
  });

  it('writes a Set-Cookie scoped to the site, HttpOnly, Secure over TLS', () => {
    expect(digestSetCookie('pm_digest', 'V', { maxAge: 60 })).toBe('pm_digest=V; Path=/; Max-Age=60; HttpOnly; SameSite=Lax');
    expect(digestSetCookie('pm_digest', 'V', { secure: true })).toMatch(/; Secure$/);
  });
});

describe('PushDiary', () => {
  it('remembers promised URLs per connection and forgets the oldest when full', () => {
    const diary = new PushDiary(2);
    diary.add('/a');
    diary.add('/b');
    diary.add('/a');
    expect([diary.has('/a'), diary.has('/b'), diary.size]).toEqual([true, true, 2]);
    diary.add('/c');
    expect([diary.has('/a'), diary.has('/b'), diary.has('/c'), diary.size]).toEqual([false, true, true, 2]);
    diary.delete('/b');
    expect(diary.has('/b')).toBe(false);
  });
});
