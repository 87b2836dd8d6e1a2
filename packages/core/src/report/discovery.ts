/**
 * Discovery depth: how many round trips a browser needs before it even knows it wants a resource.
 * The HTML is depth 0; whatever the HTML names is 1 (the browser reads it in the HTML's response);
 * what a stylesheet or a module names is one more than that file. A browser follows the shortest
 * chain, so a resource's depth is its shortest distance from the page in the reference graph.
 *
 * This walk reads the crawler's per-file extracts (the same parser, the same URL resolution) and
 * records only edges: *which* resources a page needs is the crawler's decision (`generateManifest`),
 * so the selection rules stay in one place and this module answers only "how deep".
 */
import { isAbsolute, relative, sep } from 'node:path';
import { fileBaseUrl, type Site } from '../crawl/resolve.js';
import { resolveRefMemo } from '../crawl/resolve-memo.js';
import { isFileReadError, type FileExtract, type FileKind, type FileParser, type Ref } from '../crawl/types.js';

/** One reference from a file of the page to a URL of the site. */
export interface DiscoveryEdge {
  /** URL of the referencing file (the page's own URL for the HTML). */
  from: string;
  to: string;
}

/** The reference graph one page reaches. */
export interface PageGraph {
  /** The page's URL path. */
  page: string;
  /** Shortest discovery depth of each URL the page reaches (the page itself at 0). */
  depth: Map<string, number>;
  /** Every edge, in discovery order; repeats removed. */
  edges: DiscoveryEdge[];
  /** Absolute paths of the files the walk read for this page (the HTML, its CSS and modules). */
  files: Set<string>;
}

const CSS_SOURCES = new Set<Ref['source']>(['stylesheet', 'css-import']);

/** Which kind of file a reference leads into, if the browser reads it for more references. */
function descendInto(ref: Ref, url: string): FileKind | undefined {
  if (CSS_SOURCES.has(ref.source)) return 'css';
  const path = url.split('?')[0]!.toLowerCase();
  const script = path.endsWith('.js') || path.endsWith('.mjs');
  if (ref.source === 'js-import' && script) return 'js';
  if ((ref.source === 'script' && ref.module) || ref.source === 'modulepreload') return script ? 'js' : undefined;
  return undefined;
}

/** Walks pages' reference graphs, parsing each shared file once. */
export class DiscoveryWalker {
  private readonly extracts = new Map<string, Promise<FileExtract | null>>();

  constructor(
    private readonly site: Site,
    private readonly parser: FileParser,
  ) {}

  private parse(kind: FileKind, file: string): Promise<FileExtract | null> {
    let pending = this.extracts.get(file);
    if (!pending) {
      pending = this.parser.parse(kind, file).then((result) => (isFileReadError(result) ? null : result));
      this.extracts.set(file, pending);
    }
    return pending;
  }

  /** Breadth first from the page: the first time a URL is reached is its shortest depth. */
  async walk(pageUrl: string, pageFile: string): Promise<PageGraph> {
    const graph: PageGraph = { page: pageUrl, depth: new Map([[pageUrl, 0]]), edges: [], files: new Set() };
    const seenEdges = new Set<string>();
    const entered = new Set<string>([pageFile]);
    let frontier: { url: string; file: string; kind: FileKind }[] = [{ url: pageUrl, file: pageFile, kind: 'html' }];
    // Bounded: each round goes one level deeper and a file is entered at most once.
    for (let level = 0; frontier.length > 0 && level < 64; level++) {
      const next: typeof frontier = [];
      for (const item of frontier) {
        const extract = await this.parse(item.kind, item.file);
        if (!extract) continue;
        graph.files.add(item.file);
        let base = fileBaseUrl(this.site, item.file);
        if (item.kind === 'html' && extract.base?.href) {
          try {
            base = new URL(extract.base.href, base);
          } catch {
            // The crawl warns about a bad <base>; the page's own URL stands.
          }
        }
        for (const ref of extract.refs) {
          const resolution = resolveRefMemo(ref, base, this.site);
          if (resolution.kind !== 'local') continue;
          const rel = relative(this.site.root, resolution.file);
          if (rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) continue;
          const key = `${item.url}\0${resolution.url}`;
          if (!seenEdges.has(key)) {
            seenEdges.add(key);
            graph.edges.push({ from: item.url, to: resolution.url });
          }
          if (!graph.depth.has(resolution.url)) graph.depth.set(resolution.url, level + 1);
          // Entered once, from its first descending reference (a preload of a sheet does not apply it).
          const kind = descendInto(ref, resolution.url);
          if (kind && !entered.has(resolution.file)) {
            entered.add(resolution.file);
            next.push({ url: resolution.url, file: resolution.file, kind });
          }
        }
      }
      frontier = next;
    }
    return graph;
  }
}

/**
 * Depths once hints are in play: a hinted URL starts at its hint's depth (a Link header on the
 * HTML response: 1; 103 Early Hints or a push: 0), and what it names follows one round trip after
 * it, so a hinted `@import`ed sheet also brings its fonts forward.
 */
export function hintedDepths(graph: PageGraph, hints: ReadonlyMap<string, number>): Map<string, number> {
  const depth = new Map<string, number>();
  for (const [url, d] of graph.depth) depth.set(url, Math.min(d, hints.get(url) ?? Infinity));
  // Relax the edges until nothing moves: at most one pass per URL (shortest paths have no more edges).
  for (let pass = 0; pass <= depth.size; pass++) {
    let changed = false;
    for (const { from, to } of graph.edges) {
      const via = (depth.get(from) ?? Infinity) + 1;
      if (via < (depth.get(to) ?? Infinity)) {
        depth.set(to, via);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return depth;
}
