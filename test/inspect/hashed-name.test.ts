import { describe, expect, it } from 'vitest';
import { hashStem, likelySuccessor } from '@push-manifest/core/inspect';

describe('hashed names', () => {
  it('masks hash-like parts, not words or versions', () => {
    expect(hashStem('app.3f2a.js')).toBe('app.*.js');
    expect(hashStem('index-DiwrgTda.js')).toBe('index-*.js');
    expect(hashStem('main.5e6f7a81.chunk.js')).toBe('main.*.chunk.js');
    expect(hashStem('jquery-3.7.1.min.js')).toBeUndefined();
    expect(hashStem('face.png')).toBeUndefined();
    expect(hashStem('app.js')).toBeUndefined();
  });

  it('finds the successor in the same folder with the same masked name, first candidate first', () => {
    expect(likelySuccessor('/js/app.3f2a.js', ['/js/vendor.1234.js', '/js/app.9c1b.js', '/js/app.0000.js'])).toBe('/js/app.9c1b.js');
    expect(likelySuccessor('/js/app.3f2a.js', ['/other/app.9c1b.js', '/js/app.9c1b.css'])).toBeUndefined();
    expect(likelySuccessor('/js/app.js', ['/js/app.9c1b.js'])).toBeUndefined();
  });
});
