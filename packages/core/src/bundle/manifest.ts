/**
 * `bundleManifest`: the bundler-neutral step the plugins and `generate --from-vite` share. A
 * bundler knows each page's entry chunks, their static imports, the CSS and assets they pull in,
 * by their final hashed names; the crawler knows what the emitted HTML and CSS name (inline
 * styles, fonts and images named from CSS) and the precision rules (fonts a page uses, media,
 * responsive images). Each page is crawled in memory with the bundle graph's references added
 * after its own, so typing, ordering, merging and caps are the crawler's, the same as `generate`.
 */
import { join } from 'node:path';
import picomatch from 'picomatch';
import { PushManifestError } from '../errors.js';
import type { Manifest } from '../manifest/model.js';
import { ResourceGraph, typeFromExtension, type CrawlWarning } from '../crawl/graph.js';
import { listPages } from '../crawl/list-pages.js';
import { PageLister } from '../crawl/listing.js';
import { createMemoryParser, type MemoryFile } from '../crawl/memory.js';
import { fileUrlPath, normaliseBase, type Site } from '../crawl/resolve.js';
import { isFileReadError, type FileExtract, type FileKind, type FileParser, type FileReadError, type Ref } from '../crawl/types.js';
import type { ResolvedBundleOptions } from './options.js';
import type { ParsedHtml } from './page-scripts.js';

/** A script chunk of the bundle and what it pulls in statically (never its dynamic imports). */
export interface BundleChunk {
  /** Its file, relative to the output folder, `/`-separated. */
  fileName: string;
  /** Chunks it imports statically (file names). Names that are not chunks of the bundle (externals) are skipped. */
  imports: readonly string[];
  /** Stylesheets it brings in (Vite's `viteMetadata.importedCss`, webpack's extracted CSS). */
  css: readonly string[];
  /** Other assets it brings in (Vite's `viteMetadata.importedAssets`, webpack's `auxiliaryFiles`). */
  assets: readonly string[];
  /** A module script (`type=module`, `modulepreload`); false for webpack's classic scripts. */
  module: boolean;
}

/** A page of the site. */
export interface BundlePage {
  /** The emitted HTML file (relative to the output folder), crawled in memory; absent for a server-rendered route. */
  html?: string;
  /** The route key for a page without HTML (`/`, `/account`); an HTML page's key is its URL path. */
  route?: string;
  /** Its entry chunks' file names, in load order. */
  entries: readonly string[];
  /** Its HTML already parsed (by {@link parseHtml}, for the adapter's own reading): crawled without parsing it again. */
  parsed?: ParsedHtml;
}

/** What a bundler hands over. */
export interface BundleInput {
  /** Absolute path of the output folder: file names are relative to it. */
  root: string;
  /** URL path the output folder is served under (`/`, `/app/`). */
  base: string;
  /** Emitted files by name (`assets/app-x1y2.css`); files not here are looked for on disk under `root`. */
  files: ReadonlyMap<string, MemoryFile>;
  chunks: ReadonlyMap<string, BundleChunk>;
  pages: readonly BundlePage[];
}

/** What {@link bundleManifest} produced. */
export interface BundleResult {
  manifest: Manifest;
  /** Problems worth a bundler warning: a page's dependency that is not in the bundle, unparsable CSS… */
  warnings: CrawlWarning[];
}

type Options = Pick<ResolvedBundleOptions, 'types' | 'max' | 'maxBytes' | 'followImports' | 'include' | 'exclude'>;

/**
 * The manifest of a bundle: for each page (HTML pages by their URL path, HTML-less routes by
 * `route`), its entries, their static imports (with `followImports`), their CSS and assets, and
 * whatever its HTML and CSS name, typed, ordered and capped as the crawler does.
 */
export async function bundleManifest(input: BundleInput, options: Options): Promise<BundleResult> {
  const site: Site = { root: input.root, base: normaliseBase(input.base) };
  const absolute = (name: string) => join(input.root, ...name.split('/'));
  // A shared chunk or stylesheet is named by every page that reaches it: its URL is worked out once.
  const urls = new Map<string, string>();
  const urlOf = (name: string) => {
    let url = urls.get(name);
    if (url === undefined) {
      url = fileUrlPath(site, absolute(name));
      urls.set(name, url);
    }
    return url;
  };

  const memory = new Map<string, MemoryFile>();
  for (const [name, file] of input.files) memory.set(absolute(name), file);

  const included = pageFilter(options);
  const pages: { file: string; route: string; refs: Ref[]; parsed: ParsedHtml | undefined }[] = [];
  for (const [index, page] of input.pages.entries()) {
    const name = page.html ?? page.route;
    if (name === undefined) throw new PushManifestError('BAD_INPUT', 'bundleManifest: a page needs html or route');
    if (!included(name.replace(/^\//, ''))) continue;
    // A route without HTML is crawled as an empty page holding only the bundle's references.
    const file = page.html !== undefined ? absolute(page.html) : join(input.root, `\0route-${index}.html`);
    const route = page.html !== undefined ? urlOf(page.html) : page.route!;
    pages.push({ file, route, refs: graphRefs(page.entries, input.chunks, options.followImports, urlOf), parsed: page.html !== undefined ? page.parsed : undefined });
  }
  pages.sort((a, b) => (a.route < b.route ? -1 : a.route > b.route ? 1 : 0));

  const extras = new Map(pages.map((page) => [page.file, { refs: page.refs, parsed: page.parsed }]));
  const warnings: CrawlWarning[] = [];
  const graph = new ResourceGraph(site, withPageRefs(createMemoryParser(memory), extras), { followImports: false }, (warning) => warnings.push(warning));
  let manifest: Manifest;
  try {
    // Sorted by route above: the lister gives a URL the entry of its first reference in page order.
    ({ manifest } = await listPages(graph, new PageLister(options), pages));
  } finally {
    await graph.close();
  }
  return { manifest, warnings };
}

/** Whether a page (its file name or route, without a leading `/`) passes `include`/`exclude`. */
function pageFilter(options: Options): (name: string) => boolean {
  const include = options.include.length > 0 ? picomatch(options.include, { dot: true }) : undefined;
  const exclude = options.exclude.length > 0 ? picomatch(options.exclude, { dot: true }) : undefined;
  return (name) => (include === undefined || include(name)) && !(exclude?.(name) ?? false);
}

/**
 * The references the bundle graph gives a page, in the order a browser meets them: stylesheets
 * first, a chunk's imports' CSS before its own (the cascade order Vite's HTML and its preload
 * helper use), then the scripts depth first (an entry, then its static imports), then assets.
 * A chunk reached twice is listed once. Each is written as the element that would load it, so
 * the crawler types it (module scripts `modulepreload` with `crossorigin`, fonts `crossorigin`).
 */
function graphRefs(entries: readonly string[], chunks: ReadonlyMap<string, BundleChunk>, followImports: boolean, urlOf: (name: string) => string): Ref[] {
  const css: Ref[] = [];
  const scripts: Ref[] = [];
  const assets: Ref[] = [];
  const seen = new Set<string>();
  const at = { line: 0, column: 0 };
  const visit = (name: string, entry: boolean) => {
    if (seen.has(name)) return;
    seen.add(name);
    const chunk = chunks.get(name);
    if (!chunk) {
      // An entry that is not a chunk (a plain file the caller named): listed by its extension.
      if (entry) assets.push({ url: urlOf(name), source: 'preload', as: typeFromExtension(name), ...at });
      return;
    }
    if (chunk.module) scripts.push({ url: urlOf(name), source: entry ? 'script' : 'modulepreload', module: true, ...at });
    else scripts.push({ url: urlOf(name), source: 'script', defer: true, ...at });
    if (followImports) for (const imported of chunk.imports) if (chunks.has(imported)) visit(imported, false);
    for (const sheet of chunk.css) css.push({ url: urlOf(sheet), source: 'stylesheet', ...at });
    for (const asset of chunk.assets) assets.push({ url: urlOf(asset), source: 'preload', as: typeFromExtension(asset), ...at });
  };
  for (const entry of entries) visit(entry, true);
  return [...css, ...scripts, ...assets];
}

/** The parser, with each page's bundle references added after what its HTML names. */
function withPageRefs(parser: FileParser, extras: ReadonlyMap<string, { readonly refs: readonly Ref[]; readonly parsed: ParsedHtml | undefined }>): FileParser {
  return {
    async parse(kind: FileKind, absPath: string): Promise<FileExtract | FileReadError> {
      const extra = kind === 'html' ? extras.get(absPath) : undefined;
      if (extra === undefined) return parser.parse(kind, absPath);
      const { refs, parsed } = extra;
      // A route without HTML has no file: an empty page. A page the adapter parsed already is not parsed again.
      const result = absPath.includes('\0')
        ? ({ kind: 'html', refs: [], warnings: [] } satisfies FileExtract)
        : parsed !== undefined
          ? parsed.extract
          : await parser.parse(kind, absPath);
      if (isFileReadError(result)) return result;
      return { ...result, refs: [...result.refs, ...refs] };
    },
    stat: (absPath) => parser.stat?.(absPath),
    close: () => parser.close?.() ?? Promise.resolve(),
  };
}
