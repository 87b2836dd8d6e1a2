/**
 * The recency caches: RecentMap (any key) and RecentIndexMap (a table's indices, kept in arrays),
 * which must agree on what they hold after any sequence of reads and writes.
 */
import { describe, expect, it } from 'vitest';
import { RecentIndexMap, RecentMap } from '../../packages/core/src/util/recent-map.js';

/** A small deterministic PRNG (mulberry32): the same sequence on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('RecentMap and RecentIndexMap', () => {
  it('hold the same values after the same reads and writes', () => {
    for (const seed of [1, 2, 3]) {
      const next = random(seed);
      const capacity = 500;
      const byMap = new RecentMap<number, string>(40);
      const byIndex = new RecentIndexMap<string>(capacity, 40);
      // Hot keys (a template's resources on every page) among many cold ones.
      const key = () => (next() < 0.5 ? Math.floor(next() * 20) : Math.floor(next() * capacity));
      for (let step = 0; step < 20_000; step++) {
        const k = key();
        if (next() < 0.6) expect(byIndex.get(k)).toBe(byMap.get(k));
        else {
          const value = `v${step}`;
          byMap.set(k, value);
          byIndex.set(k, value);
        }
      }
      for (let k = 0; k < capacity; k++) expect(byIndex.get(k)).toBe(byMap.get(k));
    }
  });

  it('RecentIndexMap keeps at most two windows of values, the ones used lately', () => {
    const map = new RecentIndexMap<number[]>(10_000, 100);
    map.set(7, [7]);
    for (let i = 0; i < 10_000; i++) {
      map.set(i, [i]);
      // A hot key, read all along, never drops out.
      expect(map.get(7)).toEqual([7]);
    }
    let held = 0;
    for (let i = 0; i < 10_000; i++) if (map.get(i) !== undefined) held++;
    expect(held).toBeLessThanOrEqual(200);
    expect(map.get(9_999)).toEqual([9_999]);
    expect(map.get(0)).toBeUndefined();
  });

  it('RecentIndexMap has nothing for a key outside its table, and refuses to hold one', () => {
    const map = new RecentIndexMap<string>(10, 4);
    expect(map.get(-1)).toBeUndefined();
    expect(map.get(10)).toBeUndefined();
    expect(map.get(2.5)).toBeUndefined();
    expect(() => map.set(10, 'x')).toThrow(RangeError);
    expect(() => map.set(-1, 'x')).toThrow(RangeError);
  });
});
