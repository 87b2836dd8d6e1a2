import { describe, expect, it } from 'vitest';
import { nearestWeight, parseUnicodeRange, rangesMeetText, selectedFaces, ANY_WEIGHT, type FaceDescriptor } from '../../packages/core/src/crawl/fonts.js';
import { negateMedia, screenMatch } from '../../packages/core/src/crawl/media.js';

describe('font matching (CSS Fonts 4)', () => {
  it('reads unicode-range values, wildcards included', () => {
    expect(parseUnicodeRange('U+0000-00FF')).toEqual([0, 0xff]);
    expect(parseUnicodeRange('u+0131')).toEqual([0x131, 0x131]);
    expect(parseUnicodeRange('U+4??')).toEqual([0x400, 0x4ff]);
    expect(parseUnicodeRange('U+00FF-0000')).toBeUndefined();
    expect(parseUnicodeRange('latin')).toBeUndefined();
  });

  it('meets the text when a range holds ASCII or one of the text\'s code points', () => {
    const cyrillic = [0x301, 0x400, 0x45f, 0x2116];
    expect(rangesMeetText(undefined, [])).toBe(true);
    expect(rangesMeetText([0, 0xff], [])).toBe(true);
    expect(rangesMeetText(cyrillic.flatMap((c) => [c, c]), [])).toBe(false);
    expect(rangesMeetText([0x400, 0x45f], [0xe9, 0x43f])).toBe(true);
    expect(rangesMeetText([0x400, 0x45f, 0x1f00, 0x1fff], [0xe9, 0x460])).toBe(false);
  });

  it('picks the nearest weight by §5.2: 400–500 heavier up to 500 first, below 400 lighter first, above 500 heavier first', () => {
    const w = (...weights: number[]) => weights.map((x) => [x, x] as const);
    expect(nearestWeight(400, w(300, 500, 700))).toBe(1);
    expect(nearestWeight(400, w(300, 700))).toBe(0);
    expect(nearestWeight(400, w(600, 700))).toBe(0);
    expect(nearestWeight(300, w(200, 400))).toBe(0);
    expect(nearestWeight(300, w(400, 500))).toBe(0);
    expect(nearestWeight(700, w(400, 900))).toBe(1);
    expect(nearestWeight(700, w(400, 600))).toBe(1);
    expect(nearestWeight(650, [[100, 900]])).toBe(0);
    expect(nearestWeight(400, [])).toBe(-1);
  });

  it('selects for each asked style and weight one face group, every unicode-range subset of it', () => {
    const face = (weight: number, style: FaceDescriptor['style'], ranges?: number[]): FaceDescriptor => (ranges ? { weight: [weight, weight], style, ranges } : { weight: [weight, weight], style });
    const faces = [face(400, 'normal', [0, 0xff]), face(400, 'normal', [0x400, 0x45f]), face(700, 'normal', [0, 0xff]), face(900, 'italic', [0, 0xff])];
    expect(selectedFaces(faces, { weights: new Set([400]), slanted: false })).toEqual([true, true, false, false]);
    expect(selectedFaces(faces, { weights: new Set([400, 700]), slanted: false })).toEqual([true, true, true, false]);
    // <em> text: the only italic face is taken, whatever its weight (and not synthesised from the normal one).
    expect(selectedFaces(faces, { weights: new Set([400]), slanted: true })).toEqual([true, true, false, true]);
    // 600 asked with 400 and 700 faces: above 500, heavier first.
    expect(selectedFaces(faces, { weights: new Set([600]), slanted: false })).toEqual([false, false, true, false]);
    expect(selectedFaces(faces, { weights: new Set([ANY_WEIGHT]), slanted: false })).toEqual([true, true, true, false]);
  });
});

describe('media queries at load', () => {
  it('tells media that never match a screen, always do, or may', () => {
    for (const media of ['print', 'only print', 'speech', 'not all', 'not screen', 'PRINT and (color)', 'tv', 'print, speech', 'foo']) expect(screenMatch(media), media).toBe('never');
    for (const media of ['', 'all', 'screen', 'only screen', 'not print', 'print, screen', 'not print and (color)', 'not foo']) expect(screenMatch(media), media).toBe('always');
    for (const media of ['(max-width: 600px)', 'screen and (min-width:600px)', 'print, (orientation: portrait)', 'not screen and (color)', '(prefers-color-scheme: dark)']) {
      expect(screenMatch(media), media).toBe('maybe');
    }
  });

  it('negates one query in Media Queries 3 syntax, and refuses lists', () => {
    expect(negateMedia('(min-width: 900px)')).toBe('not all and (min-width: 900px)');
    expect(negateMedia('screen and (min-width: 900px)')).toBe('not screen and (min-width: 900px)');
    expect(negateMedia('(a), (b)')).toBeUndefined();
    expect(negateMedia('not screen')).toBeUndefined();
  });
});
