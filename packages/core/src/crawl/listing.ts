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
import type { GraphOptions, PageResource, SiteUrl } from './graph.js';

/** What goes into each page's list, and how much of it. */
export interface CrawlOptions extends GraphOptions {
  /** Resource types listed. Default: style, font, script (plus the first image, see `firstImage`). */
  types?: ResourceType[];
  /** List the page's first image even when `types` leaves images out. Default true. */
  firstImage?: boolean;
  /** Most resources listed per page (the most critical ones). */
  max?: number;
  /** Most bytes listed per page: the longest prefix of the ordered list that fits. */
  maxBytes?: number;
  /**
   * Which `@font-face` fonts a page lists. `used` (default): those whose family the page's CSS
   * names in a `font`/`font-family` declaration (a browser fetches no other; when a value uses
   * `var()` every face counts as used). `declared`: every face its stylesheets declare.
   */
  fonts?: 'used' | 'declared';
}

/** Default types: what blocks or shapes the first render. The first image comes in through `firstImage`. */
export const DEFAULT_TYPES: readonly ResourceType[] = ['style', 'font', 'script'];

/**
 * The references without `@font-face` sources of families the page's CSS never names: a browser
 * does not fetch those, so hinting them only wastes bandwidth (and earns a console warning). As
 * if the page did not reference them, they neither list nor give the URL its shared entry.
 */
function withoutUnusedFaces(references: readonly PageResource[], fontFamilies: ReadonlySet<string>): readonly PageResource[] {
  let kept: PageResource[] | undefined;
  for (let i = 0; i < references.length; i++) {
    const r = references[i]!;
    const unused = r.family !== undefined && !fontFamilies.has(r.family);
    if (unused) kept ??= references.slice(0, i);
    else kept?.push(r);
  }
  return kept ?? references;
}

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

  /**
   * The manifest list of a page, from its references in discovery order and the font families
   * its CSS uses.
   */
  list(references: readonly PageResource[], fontFamilies: ReadonlySet<string>): Resource[] {
    const merged = this.merge(this.options.fonts === 'declared' || fontFamilies.has(ANY_FONT_FAMILY) ? references : withoutUnusedFaces(references, fontFamilies));
    this.applyEntries(merged);
    return this.select(merged).map((r, i): Resource => {
      const resource: Resource = { url: r.target.url, type: r.type, weight: weightAt(i) };
      if (r.crossorigin) resource.crossorigin = r.crossorigin;
      if (r.rel) resource.rel = r.rel;
      if (r.media !== undefined) resource.media = r.media;
      return resource;
    });
  }

  /**
   * One entry per URL, in discovery order: the first reference types it, the most critical one
   * places it (its class; its position stays the first's), media only if every reference agrees,
   * and it is a shown or high-priority image if any reference says so.
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
      if (!stronger && media === seen.media && shownImage === seen.shownImage && highPriority === seen.highPriority) continue;
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
   * What the page lists, in critical-path order: the type filter (with its first image), then
   * `max`, then `maxBytes`. Filtering before sorting gives the same list as sorting first (the
   * order is total: a merged list has one entry per position) and sorts only what is listed.
   */
  private select(merged: readonly PageResource[]): PageResource[] {
    const { types, options } = this;
    let firstImage = -1;
    if (options.firstImage !== false && !types.has('image')) {
      // Every candidate has criticality `image`, so discovery order is their critical-path order.
      for (let i = 0; i < merged.length; i++) {
        const r = merged[i]!;
        if (!r.shownImage || r.criticality !== 'image') continue;
        if (r.highPriority) {
          firstImage = i;
          break;
        }
        if (firstImage < 0) firstImage = i;
      }
    }
    const picked: number[] = [];
    for (let i = 0; i < merged.length; i++) if (types.has(merged[i]!.type) || i === firstImage) picked.push(i);
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
