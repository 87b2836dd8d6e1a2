/**
 * A bundle step's job as plain data: what a plugin reads from its bundler, in a form that can be
 * posted to the step's worker (structured-cloneable: strings, bytes, maps, plain objects).
 * `runBundleJob` (run-job.ts) turns it into the manifest, in the worker or in the bundler's thread.
 *
 * Only types are imported: a plugin imports this module from the bundler's thread, where loading
 * the crawler is what the worker is there to avoid.
 */
import type { CrawlWarning } from '../crawl/graph.js';
import type { BundleChunk, BundlePage } from './manifest.js';

/**
 * One emitted file: its text or bytes, or only its size when the crawl is unlikely to parse it
 * (scripts, fonts, images): its contents are then read from the bundler if the crawl asks.
 */
export type BundleJobFile = string | Uint8Array | { readonly size: number };

/** A webpack or Rspack entrypoint: its name and its chunks' key files, in load order. */
export interface BundleJobEntrypoint {
  readonly name: string;
  readonly scripts: readonly string[];
}

/**
 * The pages of a job: given (Vite knows each page's entries), or to be matched from the HTML
 * pages' `<script src>` to the entrypoints (html-webpack-plugin does not say which page is
 * whose), each HTML page's own being the entrypoints all of whose scripts it loads; without
 * HTML, each entrypoint is a route of its name.
 */
export type BundleJobPages =
  | { readonly kind: 'pages'; readonly pages: readonly Omit<BundlePage, 'parsed'>[] }
  | { readonly kind: 'entrypoints'; readonly html: readonly string[]; readonly entrypoints: readonly BundleJobEntrypoint[] };

/** What a plugin hands the bundle step: the bundle, as {@link bundleManifest} takes it, in plain data. */
export interface BundleJob {
  /** Absolute path of the output folder. */
  readonly root: string;
  /** URL path the output folder is served under. */
  readonly base: string;
  /** Emitted files by name, relative to the output folder; HTML pages always as text. */
  readonly files: ReadonlyMap<string, BundleJobFile>;
  readonly chunks: ReadonlyMap<string, BundleChunk>;
  readonly pages: BundleJobPages;
}

/** What a job produced: the manifest, serialised in the options' format, and the crawl's warnings. */
export interface BundleJobResult {
  readonly text: string;
  readonly warnings: CrawlWarning[];
}

/** Reads a file the job sent only by its size. */
export type BundleJobReader = (name: string) => string | Uint8Array | Promise<string | Uint8Array>;

/** Whether a file of this name goes into a job as its contents: the crawl parses every HTML page and usually each stylesheet. */
export function sentWhole(name: string): boolean {
  return /\.(?:html?|css)$/.test(name);
}

