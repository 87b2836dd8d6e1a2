import { describe, expect, it } from 'vitest';
import { heapGrowthGiven } from '../../packages/cli/src/heap-growth.js';

describe('heap growth bound of the crawling commands', () => {
  it('leaves a --heap-growing-percent the user gave, on the command line or in NODE_OPTIONS', () => {
    expect(heapGrowthGiven(['--heap-growing-percent=80'], '')).toBe(true);
    expect(heapGrowthGiven(['--heap_growing_percent', '80'], '')).toBe(true);
    expect(heapGrowthGiven([], '--max-old-space-size=4096 --heap-growing-percent=10')).toBe(true);
  });

  it('applies its own otherwise, other V8 flags notwithstanding', () => {
    expect(heapGrowthGiven([], '')).toBe(false);
    expect(heapGrowthGiven(['--expose-gc', '--max-old-space-size=4096'], '--enable-source-maps')).toBe(false);
    expect(heapGrowthGiven(['--heap-growing'], '')).toBe(false);
  });
});
