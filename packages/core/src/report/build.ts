/**
 * The data behind `push-manifest report`: per page, every resource the page needs (the crawl with
 * no caps), how deep a browser finds it without hints and with the manifest's hints, what the
 * manifest lists and what its caps left out, and the crawl's warnings for the files the page reads.
 */
import { statSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { generateManifest, type CrawlWarning, type GenerateOptions } from '../generate.js';
import { RESOURCE_TYPES, type Manifest, type Resource, type ResourceType } from '../manifest/model.js';
import { RouteTable } from '../runtime/route-table.js';
import { createFileParser } from '../crawl/extract.js';
import { fileUrlPath, normaliseBase, type Site } from '../crawl/resolve.js';
import { DEFAULT_TYPES } from '../crawl/listing.js';
import { DiscoveryWalker, hintedDepths } from './discovery.js';

/** How the hints reach the browser: a Link header on the HTML response (depth 1), or 103 Early Hints / push (depth 0). */
export type HintDelivery = 'link' | 'early-hints';

/** One resource a page needs. */
export interface ReportResource {
  url: string;
  type: ResourceType;
  /** Size on disk. */
  bytes: number;
  /** Round trips before the browser knows it needs this, without hints. */
  depth: number;
  /** The same with the manifest's hints delivered as a Link header. */
  linkDepth: number;
  /** The same with 103 Early Hints (or push). */
  earlyDepth: number;
  /** Whether the manifest hints it. */
  hinted: boolean;
  /** Why an unhinted resource is not in the manifest. */
  leftOut?: 'types' | 'max' | 'follow-imports' | 'not-in-manifest';
}

/** One page of the report. */
export interface ReportPage {
  /** The page's URL path. */
  page: string;
  resources: ReportResource[];
  /** Discovery depth of the deepest resource: the page's round trips before everything is requested. */
  rounds: { plain: number; link: number; early: number };
  /** Round trips the hints save, with the chosen delivery. */
  saved: number;
  /** Bytes of the Link header the runtime would send for this page (0 when none). */
  linkHeaderBytes: number;
  hintedBytes: number;
  /** The crawl's warnings for the files this page reads, paths relative to the root. */
  warnings: { file: string; line?: number; code: string; message: string }[];
}

/** The whole report. */
export interface SiteReport {
  root: string;
  /** Where the hints came from: a manifest file, or the default crawl. */
  manifest: string;
  delivery: HintDelivery;
  summary: {
    pages: number;
    median: { plain: number; hinted: number };
    worst: { plain: number; hinted: number };
    /** The pages that gain most, most first (at most 5). */
    topGains: { page: string; saved: number }[];
    linkHeaderBytes: { median: number; max: number };
  };
  pages: ReportPage[];
}

/** Options for {@link buildReport}. */
export interface ReportOptions extends Omit<GenerateOptions, 'onWarning' | 'onProgress'> {
  /** Hints from this manifest instead of the default crawl's. */
  manifest?: Manifest;
  /** Named in the report as the hints' source. */
  manifestName?: string;
  /** Default `early-hints` (what `serve` sends on HTTP/2). */
  delivery?: HintDelivery;
}

/** Median of numbers (mean of the middle two for an even count); 0 for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function leftOutReason(resource: Resource, options: ReportOptions, listedCount: number): ReportResource['leftOut'] {
  if (options.manifest) return 'not-in-manifest';
  const types = new Set(options.types ?? DEFAULT_TYPES);
  if (!types.has(resource.type)) return 'types';
  // The needed crawl follows module imports; the default manifest too, unless followImports is false.
  if (resource.rel === 'modulepreload' && options.followImports === false) return 'follow-imports';
  return options.max !== undefined && listedCount >= options.max ? 'max' : 'not-in-manifest';
}

/**
 * Build the report of a site. Crawls it twice (once with no caps for what each page needs, once
 * with `options` for the default manifest unless `manifest` is given) and walks each page's
 * reference graph for depths.
 */
export async function buildReport(options: ReportOptions): Promise<SiteReport> {
  const root = resolve(options.root);
  const { manifest: given, manifestName, delivery = 'early-hints', ...crawlOptions } = options;
  const warnings: CrawlWarning[] = [];
  const needed = await generateManifest({
    ...crawlOptions,
    root,
    types: [...RESOURCE_TYPES],
    followImports: true,
    max: undefined,
    maxBytes: undefined,
    onWarning: (w) => warnings.push(w),
  } as GenerateOptions);
  const hints = given ?? (await generateManifest({ ...crawlOptions, root } as GenerateOptions)).manifest;
  const table = RouteTable.fromManifest(hints);
  const site: Site = { root, base: normaliseBase(options.base) };
  const walker = new DiscoveryWalker(site, createFileParser());
  const shownFile = (file: string) => relative(root, file).split(sep).join('/');

  const pages: ReportPage[] = [];
  for (const [page, list] of needed.manifest.pages) {
    const file = resolve(root, ...decodeURIComponent(page.slice(site.base.length)).split('/'));
    const graph = await walker.walk(fileUrlPath(site, file), file);
    const route = table.match(page);
    const hinted = route ? (hints.pages.get(route.key) ?? []) : [];
    const hintedUrls = new Set(hinted.map((r) => r.url));
    const link = hintedDepths(graph, new Map(hinted.map((r) => [r.url, 1])));
    const early = hintedDepths(graph, new Map(hinted.map((r) => [r.url, 0])));
    const resources: ReportResource[] = list.map((r) => {
      const depth = graph.depth.get(r.url) ?? 1;
      const item: ReportResource = {
        url: r.url,
        type: r.type,
        bytes: fileSize(root, site.base, r.url),
        depth,
        linkDepth: link.get(r.url) ?? depth,
        earlyDepth: early.get(r.url) ?? depth,
        hinted: hintedUrls.has(r.url),
      };
      if (!item.hinted) item.leftOut = leftOutReason(r, options, hinted.length);
      return item;
    });
    // Hinted URLs the crawl did not find for this page (a learned entry, another tool's manifest) still cost bytes.
    for (const r of hinted) {
      if (resources.some((x) => x.url === r.url)) continue;
      resources.push({ url: r.url, type: r.type, bytes: fileSize(root, site.base, r.url), depth: 1, linkDepth: 1, earlyDepth: 0, hinted: true });
    }
    const deepest = (pick: (r: ReportResource) => number) => resources.reduce((m, r) => Math.max(m, pick(r)), 0);
    const rounds = { plain: deepest((r) => r.depth), link: deepest((r) => r.linkDepth), early: deepest((r) => r.earlyDepth) };
    pages.push({
      page,
      resources,
      rounds,
      saved: rounds.plain - (delivery === 'link' ? rounds.link : rounds.early),
      linkHeaderBytes: route ? Buffer.byteLength(route.linkHeader) : 0,
      hintedBytes: resources.filter((r) => r.hinted).reduce((n, r) => n + r.bytes, 0),
      warnings: warnings
        .filter((w) => graph.files.has(w.file))
        .map((w) => ({ file: shownFile(w.file), ...(w.line !== undefined ? { line: w.line } : {}), code: w.code, message: w.message })),
    });
  }
  const hintedRounds = (p: ReportPage) => (delivery === 'link' ? p.rounds.link : p.rounds.early);
  const linkSizes = pages.map((p) => p.linkHeaderBytes);
  return {
    root,
    manifest: manifestName ?? (given ? 'the given manifest' : 'the default crawl'),
    delivery,
    summary: {
      pages: pages.length,
      median: { plain: median(pages.map((p) => p.rounds.plain)), hinted: median(pages.map(hintedRounds)) },
      worst: { plain: Math.max(0, ...pages.map((p) => p.rounds.plain)), hinted: Math.max(0, ...pages.map(hintedRounds)) },
      topGains: [...pages]
        .filter((p) => p.saved > 0)
        .sort((a, b) => b.saved - a.saved || a.page.localeCompare(b.page))
        .slice(0, 5)
        .map((p) => ({ page: p.page, saved: p.saved })),
      linkHeaderBytes: { median: median(linkSizes), max: Math.max(0, ...linkSizes) },
    },
    pages,
  };
}

function fileSize(root: string, base: string, url: string): number {
  try {
    const path = decodeURIComponent(url.split('?')[0]!.slice(base.length));
    return statSync(resolve(root, ...path.split('/'))).size;
  } catch {
    return 0;
  }
}
