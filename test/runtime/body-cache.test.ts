import { mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BodyCache } from '../../packages/core/src/runtime/body-cache.js';

const dir = mkdtempSync(join(tmpdir(), 'pm-body-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function loaded(cache: BodyCache, path: string, size: number) {
  cache.load(path, size);
  for (let i = 0; i < 100 && cache.get(path) === undefined; i++) await new Promise((r) => setTimeout(r, 5));
  return cache.get(path);
}

describe('BodyCache', () => {
  it('serves a small file from memory until it changes on disk', async () => {
    const file = join(dir, 'a.css');
    writeFileSync(file, 'body{}');
    const cache = new BodyCache();
    expect(cache.get(file)).toBeUndefined();
    expect((await loaded(cache, file, 6))?.body.toString()).toBe('body{}');
    // Same size, new mtime: no longer the cached file.
    writeFileSync(file, 'p{}{}{');
    utimesSync(file, new Date(5_000_000), new Date(5_000_000));
    expect(cache.get(file)).toBeUndefined();
    // Replaced by rename (new inode), as deploy tools do.
    expect((await loaded(cache, file, 6))?.body.toString()).toBe('p{}{}{');
    const next = join(dir, 'a.css.tmp');
    writeFileSync(next, 'q{}{}{');
    utimesSync(next, new Date(5_000_000), new Date(5_000_000));
    renameSync(next, file);
    expect(cache.get(file)).toBeUndefined();
    rmSync(file);
    expect(cache.get(file)).toBeUndefined();
  });

  it('keeps files under maxFileBytes only, and evicts the oldest beyond maxBytes', async () => {
    const cache = new BodyCache({ maxFileBytes: 10, maxBytes: 15 });
    const big = join(dir, 'big.js');
    writeFileSync(big, 'x'.repeat(11));
    cache.load(big, 11);
    await new Promise((r) => setTimeout(r, 50));
    expect(cache.get(big)).toBeUndefined();
    const one = join(dir, 'one.js');
    const two = join(dir, 'two.js');
    writeFileSync(one, '1'.repeat(10));
    writeFileSync(two, '2'.repeat(10));
    expect(await loaded(cache, one, 10)).toBeDefined();
    expect(await loaded(cache, two, 10)).toBeDefined();
    expect(cache.get(one)).toBeUndefined();
  });
});
