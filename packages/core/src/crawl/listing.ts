/**
 * From a page's crawl to its manifest list: merge the page's repeats of a URL, give a URL every
 * page shares the entry of its first reference in page order, pick what the options list, order
 * it by criticality and weigh it.
 *
 * A page's crawl holds shared, immutable {@link PageResource}s (graph.ts); the few that a merge or
 * an entry changes are copied, the rest are read as they are. Per-URL bookkeeping lives on the
 * URL's {@link SiteUrl} (one object per URL per crawl), so a page of 200 references costs no map.
 */
import type { Resource, ResourceType } from '../manifest/model.js';
import { criticalityRank, weightAt } from '../manifest/order.js';
import { ANY_FONT_FAMILY } from './types.js';
import { rangesMeetText, selectedFaces, type FaceDescriptor } from './fonts.js';
import type { GraphOptions, PageCrawl, PageResource, SiteUrl } from './graph.js';

/** What goes into each page's list, and how much of it. */
export interface CrawlOptions extends GraphOptions {
  /** Resource types listed. Default: style, font, script (plus the first image, see `firstImage`). */
  types?: ResourceType[];
  /**
   * List the page's LCP image even when `types` leaves images out: the one with
   * `fetchpriority=high`, else the first `<img>`/`<picture>` of the main content (not in the
   * banner, navigation or footer, not tiny by its `width`/`height`). Default true.
   */
  firstImage?: boolean;
  /** Most resources listed per page (the most critical ones). */
  max?: number;
  /** Most bytes listed per page: the longest prefix of the ordered list that fits. */
  maxBytes?: number;
  /**
   * Which `@font-face` fonts a page lists. `used` (default): those a browser fetches for the first
   * render: the family is named in a `font`/`font-family` declaration of the page's CSS (when a
   * value uses `var()` every family counts as used), the face's `unicode-range` meets the page's
   * text, and font matching picks the face for a weight and style the page asks
   * (see docs/crawler.md). `declared`: every face its stylesheets declare.
   */
  fonts?: 'used' | 'declared';
}

/** Default types: what blocks or shapes the first render. The first image comes in through `firstImage`. */
export const DEFAULT_TYPES: readonly ResourceType[] = ['style', 'font', 'script'];

/**
 * The references without the `@font-face` sources a browser does not fetch for this page: faces of
 * families its CSS never names, faces whose `unicode-range` misses its text, faces font matching
 * does not pick for the weights and styles it asks. Hinting them only wastes bandwidth (and earns
 * a console warning). As if the page did not reference them, they neither list nor give the URL
 * its shared entry.
 */
function withoutUnusedFaces(references: readonly PageResource[], page: FontUse): readonly PageResource[] {
  const anyFamily = page.fontFamilies.has(ANY_FONT_FAMILY);
  // The faces of each used family the page's stylesheets declare, to match within.
  let families: Map<string, FaceDescriptor[]> | undefined;
  for (const r of references) {
    if (r.family === undefined || r.face === undefined || (!anyFamily && !page.fontFamilies.has(r.family))) continue;
    families ??= new Map();
    let faces = families.get(r.family);
    if (faces === undefined) families.set(r.family, (faces = []));
    if (!faces.includes(r.face)) faces.push(r.face);
  }
  const picked = new Map<FaceDescriptor, boolean>();
  if (families !== undefined) {
    const asks = { weights: page.fontWeights, slanted: page.fontSlanted };
    for (const faces of families.values()) {
      const selected = selectedFaces(faces, asks);
      faces.forEach((face, i) => picked.set(face, selected[i]! && rangesMeetText(face.ranges, page.textCodePoints)));
    }
  }
  let kept: PageResource[] | undefined;
  for (let i = 0; i < references.length; i++) {
    const r = references[i]!;
    const unused = r.family !== undefined && (r.face === undefined ? !anyFamily && !page.fontFamilies.has(r.family) : picked.get(r.face) !== true);
    if (unused) kept ??= references.slice(0, i);
    else kept?.push(r);
  }
  return kept ?? references;
}

/** What a page's crawl says about the fonts it uses. */
type FontUse = Pick<PageCrawl, 'fontFamilies' | 'fontWeights' | 'fontSlanted' | 'textCodePoints'>;

/** A {@link PageResource} this page may change: a copy, or the shared one until it needs changing. */
type Mutable = { -readonly [K in keyof PageResource]: PageResource[K] };

/** The lister's bookkeeping on a {@link SiteUrl}. */
interface UrlListing {
  /** The page being listed when this URL was last seen, and its slot in that page's merged list. */
  page: number;
  slot: number;
  /** The URL's first reference in page order: its type, CORS mode and rel on every page. */
  entry: PageResource;
}

/**
 * Lists pages one after another, in page order: the shared entries depend on it, so pages must be
 * passed in the same order on every run (generate.ts commits them sorted) for the output not to
 * depend on timing.
 */
export class PageLister {
  private page = 0;
  private readonly types: ReadonlySet<ResourceType>;

  constructor(private readonly options: CrawlOptions) {
    this.types = new Set(options.types ?? DEFAULT_TYPES);
  }

  /** The manifest list of a page, from its references in discovery order and what its CSS and text ask of fonts. */
  list(references: readonly PageResource[], fonts: FontUse): Resource[] {
    const merged = this.merge(this.options.fonts === 'declared' ? references : withoutUnusedFaces(references, fonts));
    this.applyEntries(merged);
    return this.select(merged).map((r, i): Resource => {
      const resource: Resource = { url: r.target.url, type: r.type, weight: weightAt(i) };
      if (r.crossorigin) resource.crossorigin = r.crossorigin;
      if (r.rel) resource.rel = r.rel;
      if (r.media !== undefined) resource.media = r.media;
      if (r.imagesrcset !== undefined) {
        resource.imagesrcset = r.imagesrcset;
        if (r.imagesizes !== undefined) resource.imagesizes = r.imagesizes;
      }
      if (r.fetchpriority !== undefined) resource.fetchpriority = r.fetchpriority;
      if (r.mimeType !== undefined) resource.mimeType = r.mimeType;
      // A push has no media and no viewport: what only some screens fetch is hinted, never pushed.
      if (r.media !== undefined || r.imagesrcset !== undefined) resource.nopush = true;
      return resource;
    });
  }

  /**
   * One entry per URL, in discovery order: the first reference types it, the most critical one
   * places it (its class; its position stays the first's), media only if every reference agrees,
   * and it is a shown, main-content or high-priority image if any reference says so.
   */
  private merge(references: readonly PageResource[]): PageResource[] {
    const page = ++this.page;
    const merged: PageResource[] = [];
    let copies: Set<PageResource> | undefined;
    for (const r of references) {
      const listing = r.target.listing as UrlListing | undefined;
      if (listing === undefined || listing.page !== page) {
        if (listing === undefined) r.target.listing = { page, slot: merged.length, entry: r } satisfies UrlListing;
        else {
          listing.page = page;
          listing.slot = merged.length;
        }
        merged.push(r);
        continue;
      }
      const seen = merged[listing.slot]!;
      const stronger = criticalityRank(r.criticality) < criticalityRank(seen.criticality);
      const media = seen.media === r.media ? seen.media : undefined;
      const shownImage = seen.shownImage || r.shownImage;
      const highPriority = seen.highPriority || r.highPriority;
      const mainImage = seen.mainImage || r.mainImage;
      if (!stronger && media === seen.media && shownImage === seen.shownImage && highPriority === seen.highPriority && mainImage === seen.mainImage) continue;
      copies ??= new Set();
      let copy = seen as Mutable;
      if (!copies.has(seen)) {
        copy = { ...seen };
        copies.add(copy);
        merged[listing.slot] = copy;
      }
      if (stronger) copy.criticality = r.criticality;
      copy.media = media;
      copy.shownImage = shownImage;
      copy.highPriority = highPriority;
      copy.mainImage = mainImage;
      // The element the image is shown by: its hints (a <picture>'s) go together.
      if (copy.element === undefined && r.element !== undefined) copy.element = r.element;
    }
    return merged;
  }

  /** Give each URL the type, CORS mode and rel of its first reference in page order. */
  private applyEntries(merged: PageResource[]): void {
    for (let i = 0; i < merged.length; i++) {
      const r = merged[i]!;
      const { entry } = r.target.listing as UrlListing;
      if (entry === r || (entry.type === r.type && entry.crossorigin === r.crossorigin && entry.rel === r.rel)) continue;
      merged[i] = { ...r, type: entry.type, crossorigin: entry.crossorigin, rel: entry.rel };
    }
  }

  /**
   * What the page lists, in critical-path order: the type filter (with its LCP image), then
   * `max`, then `maxBytes`. Filtering before sorting gives the same list as sorting first (the
   * order is total: a merged list has one entry per position) and sorts only what is listed.
   */
  private select(merged: readonly PageResource[]): PageResource[] {
    const { types, options } = this;
    const lcp = options.firstImage !== false && !types.has('image') ? lcpImage(merged) : undefined;
    const picked: number[] = [];
    for (let i = 0; i < merged.length; i++) {
      const r = merged[i]!;
      if (types.has(r.type) || (lcp !== undefined && (i === lcp || (r.element !== undefined && r.element === merged[lcp]!.element)))) picked.push(i);
    }
    // Criticality class first, then discovery order (the position in `merged`).
    picked.sort((a, b) => criticalityRank(merged[a]!.criticality) - criticalityRank(merged[b]!.criticality) || a - b);
    let selected = picked.map((i) => merged[i]!);
    if (options.max !== undefined) selected = selected.slice(0, options.max);
    if (options.maxBytes !== undefined) {
      let total = 0;
      let fit = 0;
      while (fit < selected.length && total + selected[fit]!.target.size <= options.maxBytes) total += selected[fit++]!.target.size;
      selected = selected.slice(0, fit);
    }
    return selected;
  }
}

/**
 * The page's LCP image, by a rule that is right on ordinary pages: the image with
 * `fetchpriority=high`, else the first image of the main content (discovery order is document
 * order for a page's own elements). Undefined when the page has neither.
 */
function lcpImage(merged: readonly PageResource[]): number | undefined {
  let first: number | undefined;
  for (let i = 0; i < merged.length; i++) {
    const r = merged[i]!;
    if (!r.shownImage) continue;
    if (r.highPriority) return i;
    if (first === undefined && r.mainImage) first = i;
  }
  return first;
}
