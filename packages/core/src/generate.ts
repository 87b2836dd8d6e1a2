/**
 * `generateManifest`: crawl a built site into the canonical {@link Manifest}.
 */
import { stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import fg from 'fast-glob';
import { PushManifestError } from './errors.js';
import { RESOURCE_TYPES, type Manifest, type PreconnectHint, type Resource } from './manifest/model.js';
import { ResourceGraph, type CrawlWarning, type GraphOptions } from './crawl/graph.js';
import { listPages, type ListedPages } from './crawl/list-pages.js';
import { PageLister, type CrawlOptions } from './crawl/listing.js';
import { extractorVersion } from './crawl/cache.js';
import { PageResultCache } from './crawl/result-cache.js';
import { cacheDirFor, createSpeedParser, type SpeedOptions } from './crawl/speed.js';
import { fileUrlPath, normaliseBase, type Site } from './crawl/resolve.js';
import type { FileKind, FileParser } from './crawl/types.js';

export type { CrawlWarning } from './crawl/graph.js';
export { DEFAULT_TYPES, type CrawlOptions } from './crawl/listing.js';

/** Options for {@link generateManifest}. */
export interface GenerateOptions extends CrawlOptions, SpeedOptions {
  /** The built site folder. */
  root: string;
  /** Globs of pages relative to `root`. Default `**\/*.html`. `node_modules` is never crawled. */
  patterns?: string[];
  /** URL path the root is served under (`/blog/`); prefixes page keys and resource URLs. */
  base?: string;
  /**
   * The site's own origin(s) (`https://example.com`): absolute URLs on them are crawled and listed
   * by path like relative ones, instead of being taken for another origin.
   */
  origin?: string | string[];
  /** Absolute paths never taken as pages (the manifest being written, for one). */
  exclude?: string[];
  /** Pages crawled at once. Default 8. */
  concurrency?: number;
  /** Called with each warning as it is found (they are also in the result). */
  onWarning?: (warning: CrawlWarning) => void;
  /** Called after each page with the count done and the total. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Called with each file the crawl asks its parser for (which answers from the parse cache or reads
   * the file): the pages the result cache could not vouch for and the stylesheets and modules their
   * walks reach, once each. What incremental generate re-read; the tests count it.
   */
  onRead?: (kind: FileKind, file: string) => void;
  /**
   * Called with each page's list as it is listed, in a fixed order (the pages' paths sorted).
   * When given, the result's manifest holds no pages: hand them to a writer that does not keep
   * them all (`createManifestStream`), and a large site's crawl stays small in memory.
   */
  onPage?: (route: string, resources: Resource[], preconnect: PreconnectHint[] | undefined) => void;
  /** Internal hook: how files are read and parsed. Default: from `threads` and `cache`. */
  parser?: FileParser;
}

/** What {@link generateManifest} produced. */
export interface GenerateResult {
  manifest: Manifest;
  warnings: CrawlWarning[];
  /**
   * `pages`: pages crawled; `sitePages`: HTML pages the site has under the root (the same ignore
   * rules), which is more when `patterns` picked some of them. `serializeManifest(…, 'auto',
   * { sitePages })` writes `single` only for a one-page site: `single` applies to every page.
   * `files` and `bytes`: what was parsed (or taken from the parse cache) this run. `reused`: pages
   * whose crawl came from the result cache (incremental generate, with `cache` set), not crawled.
   */
  stats: { pages: number; sitePages: number; files: number; bytes: number; reused: number; ms: number };
}

const PAGE_EXTENSIONS = new Set(['.html', '.htm', '.xhtml']);

function checkOptions(options: GenerateOptions): void {
  const positive = (name: string, value: number | undefined) => {
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
      throw new PushManifestError('BAD_OPTION', `${name} must be a positive whole number, got ${value}`);
    }
  };
  positive('max', options.max);
  positive('maxBytes', options.maxBytes);
  positive('concurrency', options.concurrency);
  for (const type of options.types ?? []) {
    if (!(RESOURCE_TYPES as readonly string[]).includes(type)) {
      throw new PushManifestError('BAD_OPTION', `unknown type "${type}" in types (expected one of ${RESOURCE_TYPES.join(', ')})`);
    }
  }
  siteOrigins(options.origin);
  if (options.fonts !== undefined && options.fonts !== 'used' && options.fonts !== 'declared') {
    throw new PushManifestError('BAD_OPTION', `fonts must be "used" or "declared", got "${String(options.fonts)}"`);
  }
  if (options.srcset !== undefined && options.srcset !== 'default' && options.srcset !== 'all') {
    throw new PushManifestError('BAD_OPTION', `srcset must be "default" or "all", got "${String(options.srcset)}"`);
  }
}

/** The `origin` option as a set of origins; BAD_OPTION for anything that is not an http(s) origin. */
function siteOrigins(origin: string | string[] | undefined): Set<string> | undefined {
  if (origin === undefined) return undefined;
  const origins = new Set<string>();
  for (const value of Array.isArray(origin) ? origin : [origin]) {
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new PushManifestError('BAD_OPTION', `origin must be an http(s) origin such as https://example.com, got "${value}"`);
    }
    origins.add(url.origin);
  }
  return origins;
}

const DEFAULT_PATTERNS = ['**/*.html'];

async function globPages(root: string, patterns: string[], options: GenerateOptions): Promise<{ pages: string[]; notHtml: number }> {
  // Symlinked folders are not walked: they may lead out of the root, or in a loop.
  const found = await fg(patterns, { cwd: root, absolute: true, onlyFiles: true, ignore: ['**/node_modules/**'], dot: false, followSymbolicLinks: false });
  const exclude = new Set((options.exclude ?? []).map((file) => resolve(file)));
  const matched = [...new Set(found.map((file) => resolve(file)))].filter((file) => !exclude.has(file));
  const pages = matched.filter((file) => PAGE_EXTENSIONS.has(extname(file).toLowerCase()));
  return { pages: pages.sort(), notHtml: matched.length - pages.length };
}

/** The pages to crawl, and how many pages the whole site has (a second, cheap glob only when patterns narrowed it). */
async function findPages(root: string, options: GenerateOptions): Promise<{ pages: string[]; notHtml: number; sitePages: number }> {
  const asked = options.patterns && options.patterns.length > 0;
  const found = await globPages(root, asked ? options.patterns! : DEFAULT_PATTERNS, options);
  const site = asked ? (await globPages(root, DEFAULT_PATTERNS, options)).pages : found.pages;
  return { ...found, sitePages: new Set([...site, ...found.pages]).size };
}

/**
 * What a page's crawl depends on besides the files it reads: the site and the options the graph
 * reads. The listing options are not in it: every page is listed again on every run.
 */
function resultKey(site: Site, options: GenerateOptions): string {
  const graph: Required<{ [K in keyof GraphOptions]: GraphOptions[K] | null }> = {
    srcset: options.srcset ?? null,
    followImports: options.followImports ?? null,
    nonScreenMedia: options.nonScreenMedia ?? null,
    nomodule: options.nomodule ?? null,
  };
  return JSON.stringify({ root: site.root, base: site.base, origins: site.origins ? [...site.origins].sort() : null, graph });
}

/** The parser, telling `onRead` of each file it is asked for. */
function readCounting(parser: FileParser, onRead: GenerateOptions['onRead']): FileParser {
  if (onRead === undefined) return parser;
  const counting: FileParser = {
    parse(kind, file) {
      onRead(kind, file);
      return parser.parse(kind, file);
    },
  };
  // The optional methods as the parser has them (a class's live on its prototype, out of reach of a spread).
  if (parser.stat) counting.stat = (file) => parser.stat!(file);
  if (parser.contentOf) counting.contentOf = (file) => parser.contentOf!(file);
  if (parser.retain) counting.retain = (file) => parser.retain!(file);
  if (parser.close) counting.close = () => parser.close!();
  return counting;
}

/**
 * Crawl the HTML pages under `root` (and the CSS, fonts, images and scripts they pull in) into a
 * push manifest: each page's resources in critical-path order with derived weights.
 * Throws {@link PushManifestError} `ENOENT` for a missing root, `NO_MATCH` when no page matches,
 * `BAD_OPTION` for options out of range. Problems in the site itself are warnings.
 */
export async function generateManifest(options: GenerateOptions): Promise<GenerateResult> {
  const started = performance.now();
  checkOptions(options);
  const root = resolve(options.root);
  const rootInfo = await stat(root).catch(() => null);
  if (!rootInfo) throw new PushManifestError('ENOENT', `root folder ${options.root} does not exist`, { file: options.root });
  if (!rootInfo.isDirectory()) throw new PushManifestError('BAD_INPUT', `root ${options.root} is not a folder`, { file: options.root });

  const { pages, notHtml, sitePages } = await findPages(root, options);
  if (pages.length === 0) {
    const patterns = (options.patterns?.length ? options.patterns : ['**/*.html']).join(' ');
    throw new PushManifestError('NO_MATCH', `no HTML pages match ${patterns} under ${options.root}`, { file: options.root });
  }

  const site: Site = { root, base: normaliseBase(options.base) };
  const origins = siteOrigins(options.origin);
  if (origins) site.origins = origins;
  const warnings: CrawlWarning[] = [];
  const cacheDir = cacheDirFor(options.cache, process.cwd(), root);
  const results = cacheDir === undefined ? undefined : await PageResultCache.open({ dir: cacheDir, root, version: extractorVersion(), key: resultKey(site, options) });
  const parser = readCounting(options.parser ?? (await createSpeedParser(root, options)), options.onRead);
  const graph = new ResourceGraph(site, parser, options, (warning) => {
    warnings.push(warning);
    results?.noteWarning(warning);
    options.onWarning?.(warning);
  });
  results?.attach(graph, parser);
  if (notHtml > 0) {
    graph.warn({
      file: root,
      code: 'NOT_HTML',
      message: `${notHtml} matched file${notHtml === 1 ? ' is' : 's are'} not HTML (${[...PAGE_EXTENSIONS].join(', ')}) and ${notHtml === 1 ? 'was' : 'were'} not crawled`,
    });
  }

  const lister = new PageLister(options);
  let listed: ListedPages;
  try {
    const toList = pages.map((file) => ({ file, route: fileUrlPath(site, file) }));
    try {
      listed = await listPages(graph, lister, toList, results ? { ...options, results } : options);
    } catch (error) {
      await results?.abandon();
      throw error;
    }
    // The cache only saves time: a folder that cannot be written must not fail the crawl.
    await results?.save().catch(() => undefined);
  } finally {
    await graph.close();
  }
  const { manifest, pagesCrawled } = listed;

  return {
    manifest,
    warnings,
    stats: {
      pages: pagesCrawled,
      sitePages,
      files: graph.filesParsed,
      bytes: graph.bytesParsed,
      reused: results?.stats.reused ?? 0,
      ms: Math.round(performance.now() - started),
    },
  };
}
