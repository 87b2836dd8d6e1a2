/**
 * Which `@font-face` files a browser fetches for a page's first render (CSS Fonts 4): per face,
 * the first `src` it supports (§4.3), and of a used family only the faces that the page's text and
 * the weights and styles its CSS asks for select (§5.2 font matching, §4.5 `unicode-range`).
 *
 * Pure data in, pure data out: the CSS and HTML parsers record what they saw (face descriptors,
 * the weights and styles asked, the page's code points) and the lister calls {@link neededFaces}.
 */

/** A face's `font-style`, reduced to what matching tells apart. */
export type FaceStyle = 'normal' | 'italic' | 'oblique';

/** The descriptors of one `@font-face` that matching reads. Structured-clone-safe. */
export interface FaceDescriptor {
  /** `font-weight` range (a single weight is `[w, w]`). Default `[400, 400]`. */
  weight: [number, number];
  style: FaceStyle;
  /** `unicode-range` as flattened `[start, end]` pairs; absent: every code point. */
  ranges?: number[];
}

/** In a list of weights asked: a value the crawl cannot read (`var()`) might ask any weight. */
export const ANY_WEIGHT = 0;

/** `format()` strings current browsers load (CSS Fonts 4 §4.3.1, with the legacy `-variations` spellings). */
const SUPPORTED_FORMATS = new Set([
  'woff2',
  'woff',
  'truetype',
  'opentype',
  'collection',
  'woff2-variations',
  'woff-variations',
  'truetype-variations',
  'opentype-variations',
]);

/**
 * `tech()` keywords Chromium supports. Unknown ones (`incremental`, `color-svg`…) make a browser
 * skip the source, so they count as unsupported: hinting the next source is then right.
 */
const SUPPORTED_TECH = new Set(['features-opentype', 'variations', 'color-colrv0', 'color-colrv1', 'color-cbdt', 'palettes']);

/** Whether a current browser takes a `src` entry with these `format()` and `tech()` values. Without `format()` it tries the file. */
export function isSupportedFontSource(format: string | undefined, tech: readonly string[]): boolean {
  if (format !== undefined && !SUPPORTED_FORMATS.has(format)) return false;
  return tech.every((t) => SUPPORTED_TECH.has(t));
}

/** `U+0000-00FF`, `U+0131`, `U+4??` → `[start, end]`, or undefined for something else. */
export function parseUnicodeRange(text: string): [number, number] | undefined {
  const m = /^u\+([0-9a-f?]{1,6})(?:-([0-9a-f]{1,6}))?$/i.exec(text.trim());
  if (!m) return undefined;
  const first = m[1]!;
  if (first.includes('?')) {
    if (m[2] !== undefined || !/^[0-9a-f]*\?+$/i.test(first)) return undefined;
    return [parseInt(first.replace(/\?/g, '0'), 16), parseInt(first.replace(/\?/g, 'f'), 16)];
  }
  const start = parseInt(first, 16);
  const end = m[2] === undefined ? start : parseInt(m[2], 16);
  return end < start ? undefined : [start, end];
}

/**
 * Whether a face's ranges cover a code point of the page's text. `codePoints` holds the text's
 * code points from U+0080 up, sorted; the page is taken to have ASCII text (spaces, digits and
 * punctuation are in nearly every page, whatever its script).
 */
export function rangesMeetText(ranges: readonly number[] | undefined, codePoints: readonly number[]): boolean {
  if (ranges === undefined) return true;
  for (let i = 0; i + 1 < ranges.length; i += 2) {
    const start = ranges[i]!;
    const end = ranges[i + 1]!;
    if (start < 0x80) return true;
    // First code point >= start, by binary search.
    let lo = 0;
    let hi = codePoints.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (codePoints[mid]! < start) lo = mid + 1;
      else hi = mid;
    }
    if (lo < codePoints.length && codePoints[lo]! <= end) return true;
  }
  return false;
}

/**
 * The index of the face a desired weight selects among faces of one style (CSS Fonts 4 §5.2 step
 * 4.c): a face whose range holds it; else for 400–500 the nearest heavier up to 500, then lighter,
 * then heavier; below 400 lighter first, then heavier; above 500 heavier first, then lighter.
 */
export function nearestWeight(desired: number, weights: readonly (readonly [number, number])[]): number {
  let heavier = -1; // smallest min above desired
  let heavierUpTo500 = -1;
  let lighter = -1; // largest max below desired
  for (let i = 0; i < weights.length; i++) {
    const [min, max] = weights[i]!;
    if (min <= desired && desired <= max) return i;
    if (min > desired) {
      if (heavier === -1 || min < weights[heavier]![0]) heavier = i;
      if (min <= 500 && (heavierUpTo500 === -1 || min < weights[heavierUpTo500]![0])) heavierUpTo500 = i;
    } else if (lighter === -1 || max > weights[lighter]![1]) lighter = i;
  }
  if (desired >= 400 && desired <= 500) return heavierUpTo500 !== -1 ? heavierUpTo500 : lighter !== -1 ? lighter : heavier;
  if (desired < 400) return lighter !== -1 ? lighter : heavier;
  return heavier !== -1 ? heavier : lighter;
}

/** Styles in the order matching falls back through them (§5.2 step 4.b). */
const STYLE_ORDER: Record<FaceStyle, readonly FaceStyle[]> = {
  normal: ['normal', 'oblique', 'italic'],
  italic: ['italic', 'oblique', 'normal'],
  oblique: ['oblique', 'italic', 'normal'],
};

/** What a page's CSS (and its HTML's bold and italic elements) asks of fonts. */
export interface FontAsks {
  /** Weights asked; {@link ANY_WEIGHT} when a value might ask any. 400 (the initial value) is always asked. */
  weights: ReadonlySet<number>;
  /** Whether some text is italic or oblique. */
  slanted: boolean;
}

/**
 * Of one family's faces, which ones the asked styles and weights select: for each asked style
 * (normal, and italic when the page has slanted text) and weight, the face matching picks, and
 * every face with the same style and weight range (the other `unicode-range` subsets). Returns a
 * flag per face.
 */
export function selectedFaces(faces: readonly FaceDescriptor[], asks: FontAsks): boolean[] {
  const selected = new Array<boolean>(faces.length).fill(false);
  if (asks.weights.has(ANY_WEIGHT)) {
    // Any weight may be asked: every face of an asked style group is possible.
    const styles = new Set<FaceStyle>([matchStyle(faces, 'normal')].concat(asks.slanted ? [matchStyle(faces, 'italic')] : []));
    faces.forEach((f, i) => (selected[i] = styles.has(f.style)));
    return selected;
  }
  const asked: FaceStyle[] = asks.slanted ? ['normal', 'italic'] : ['normal'];
  for (const want of asked) {
    const style = matchStyle(faces, want);
    const ofStyle: number[] = [];
    faces.forEach((f, i) => {
      if (f.style === style) ofStyle.push(i);
    });
    const weights = ofStyle.map((i) => faces[i]!.weight);
    for (const weight of asks.weights) {
      const pick = nearestWeight(weight, weights);
      if (pick === -1) continue;
      const [min, max] = weights[pick]!;
      for (const i of ofStyle) if (faces[i]!.weight[0] === min && faces[i]!.weight[1] === max) selected[i] = true;
    }
  }
  return selected;
}

/** The style group matching falls to for a wanted style, given the styles the family has. */
function matchStyle(faces: readonly FaceDescriptor[], want: FaceStyle): FaceStyle {
  for (const style of STYLE_ORDER[want]) if (faces.some((f) => f.style === style)) return style;
  return want;
}

/** Sorted, distinct code points from U+0080 up in `text` (what {@link rangesMeetText} reads). */
export function nonAsciiCodePoints(text: string, into: Set<number>): void {
  NON_ASCII.lastIndex = 0;
  for (let m = NON_ASCII.exec(text); m; m = NON_ASCII.exec(text)) into.add(m[0].codePointAt(0)!);
}

/** A code point from U+0080 up (a surrogate pair as one). */
export const NON_ASCII = /[\u0080-\ud7ff\ue000-\uffff]|[\ud800-\udbff][\udc00-\udfff]/g;

/** HTML elements a browser's default style sheet makes bold (`bold` or `bolder`). */
export const BOLD_ELEMENTS = new Set(['b', 'strong', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'th', 'optgroup']);
/** HTML elements a browser's default style sheet makes italic. */
export const ITALIC_ELEMENTS = new Set(['i', 'em', 'cite', 'var', 'dfn', 'address']);
