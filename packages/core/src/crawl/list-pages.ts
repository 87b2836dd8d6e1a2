/**
 * `listPages`: crawl pages a few at a time and list each into a manifest in a fixed order. The one
 * crawl-and-list loop of `generate` and of the bundler plugins (`bundleManifest`), so the two agree.
 */
import type { Manifest, PreconnectHint, Resource } from '../manifest/model.js';
import type { PageCrawl, ResourceGraph } from './graph.js';
import type { PageLister } from './listing.js';

/** A page to crawl and the route key it is listed under. */
export interface PageToList {
  /** Absolute path of the page's HTML (what the graph's parser reads). */
  file: string;
  /** Its key in the manifest (`/`, `/blog/post.html`). */
  route: string;
}

/**
 * Pages under way or finished and waiting to be listed, at most, per page crawled at once: pages
 * finish out of order (the result cache answers most at once, while a changed page is parsed), and
 * every page finished past the first one not yet listed is held until that one is. Without a bound,
 * one slow page early in a large site made the run hold the crawl of every page after it.
 */
const AHEAD_PER_WORKER = 4;

/** Options of {@link listPages}. */
export interface ListPagesOptions {
  /** Pages crawled at once. Default 8. At most 4 × this many pages are under way or waiting to be listed. */
  concurrency?: number;
  /** Called after each page with the count done and the total. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Crawls kept from an earlier run (the result cache): `reuse` answers a page's crawl when it is
   * still good (the page is then not crawled), `crawled` is told each page crawled. Listing runs
   * over every page either way, in order, so the manifest is the one a full crawl gives.
   */
  results?: {
    reuse(file: string): PageCrawl | undefined;
    crawled(file: string, crawl: PageCrawl): void;
    /** Resolves when what the cache writes has caught up enough to go on (backpressure, once per page). */
    settle(): Promise<void>;
  };
  /**
   * Called with each page's list as it is listed, in the fixed order. When given, the pages are
   * not kept: the result's manifest stays empty (a streaming writer holds them instead).
   */
  onPage?: (route: string, resources: Resource[], preconnect: PreconnectHint[] | undefined) => void;
}

/** What {@link listPages} produced. */
export interface ListedPages {
  manifest: Manifest;
  /** Pages that could be read (a page that could not is a warning, and absent from the manifest). */
  pagesCrawled: number;
}

/**
 * Crawl `pages` with `graph` and list each with `lister`, committing them strictly in the order
 * given as they finish: the lister gives a shared resource the type, CORS mode and rel of its first
 * reference in that order, so the result does not depend on timing, and a page's raw crawl is
 * dropped as soon as it is listed. The caller owns `graph` (and closes it).
 */
export async function listPages(graph: ResourceGraph, lister: PageLister, pages: readonly PageToList[], options: ListPagesOptions = {}): Promise<ListedPages> {
  const manifest: Manifest = { pages: new Map(), preconnect: new Map() };
  const finished = new Map<number, PageCrawl | null>();
  let committed = 0;
  let pagesCrawled = 0;
  let next = 0;
  const concurrency = Math.min(options.concurrency ?? 8, pages.length);
  const ahead = AHEAD_PER_WORKER * concurrency;
  /** Workers waiting for the page `committed` to be listed before they take another. */
  let waiting: (() => void)[] = [];
  const commit = (route: string, crawl: PageCrawl) => {
    pagesCrawled++;
    const list = lister.list(crawl.resources, crawl);
    if (options.onPage) options.onPage(route, list, crawl.preconnect.length > 0 ? crawl.preconnect : undefined);
    else {
      manifest.pages.set(route, list);
      if (crawl.preconnect.length > 0) manifest.preconnect!.set(route, crawl.preconnect);
    }
  };
  const worker = async () => {
    while (next < pages.length) {
      if (next - committed >= ahead) {
        await new Promise<void>((resolve) => waiting.push(resolve));
        continue;
      }
      const index = next++;
      const { file } = pages[index]!;
      let crawl = options.results?.reuse(file);
      if (crawl === undefined) {
        crawl = (await graph.crawlPage(file)) ?? undefined;
        if (crawl !== undefined) options.results?.crawled(file, crawl);
      }
      await options.results?.settle();
      finished.set(index, crawl ?? null);
      while (finished.has(committed)) {
        const crawl = finished.get(committed)!;
        finished.delete(committed);
        if (crawl) commit(pages[committed]!.route, crawl);
        committed++;
      }
      // Room again: wake who waits. (The page `committed` is still under way, so its worker comes by here again.)
      if (waiting.length > 0 && next - committed < ahead) {
        const woken = waiting;
        waiting = [];
        for (const wake of woken) wake();
      }
      options.onProgress?.(committed, pages.length);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (manifest.preconnect!.size === 0) delete manifest.preconnect;
  return { manifest, pagesCrawled };
}
