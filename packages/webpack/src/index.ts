/**
 * `@push-manifest/webpack`: emit a push manifest from a webpack 5 or Rspack compilation. At
 * `processAssets` stage REPORT (every name final, HTML emitted) it reads each HTML page's
 * entrypoint (its initial chunks' files and `auxiliaryFiles`), crawls the emitted HTML and CSS in
 * memory, and emits the manifest with the bundler's own `RawSource`. Async chunks are never read.
 *
 * The bundler is never imported: its classes come from `compiler.webpack` (webpack, and Rspack
 * for compatibility) or `compiler.rspack`, and the types below are the few members both share.
 * Nor is the bundle step (zod, the crawler): this module loads only its loader, and a run (or
 * watch run) starts the step's worker, which loads the step on another core while the bundler
 * builds; `processAssets` posts it the compilation as plain data and awaits the manifest. So
 * importing the config that names the plugin stays cheap, and the build's own thread never loads it.
 */
import { resolve } from 'node:path';
import { bundleStepLoader, sentWhole, type BundleJobEntrypoint, type BundleJobFile, type BundleJobPages } from '@push-manifest/core/bundle-loader';
import type { BundleChunk, BundlePluginOptions, CrawlWarning } from '@push-manifest/core/bundle';

/** Options of {@link PushManifestPlugin}. */
export type PushManifestPluginOptions = BundlePluginOptions;

const PLUGIN = 'PushManifestPlugin';

/** The part of a webpack-sources `Source` the plugin reads. */
interface Source {
  source(): string | Uint8Array;
  size(): number;
}

interface Chunk {
  readonly files: ReadonlySet<string> | Iterable<string>;
  readonly auxiliaryFiles: ReadonlySet<string> | Iterable<string>;
}

interface Entrypoint {
  readonly chunks: readonly Chunk[];
}

interface Asset {
  readonly name: string;
  readonly source: Source;
  readonly info: { readonly hotModuleReplacement?: boolean; readonly development?: boolean };
}

interface Compilation {
  readonly entrypoints: ReadonlyMap<string, Entrypoint>;
  readonly warnings: unknown[];
  readonly errors: unknown[];
  readonly hooks: {
    processAssets: { tapPromise(options: { name: string; stage: number }, fn: (assets: Record<string, Source>) => Promise<void>): void };
  };
  getAssets(): readonly Asset[];
  emitAsset(name: string, source: Source, info?: Record<string, unknown>): void;
  updateAsset(name: string, source: Source, info?: Record<string, unknown>): void;
  getAsset(name: string): Asset | undefined;
}

/** What the plugin takes from `compiler.webpack` or `compiler.rspack`. */
interface BundlerExports {
  readonly Compilation: { readonly PROCESS_ASSETS_STAGE_REPORT: number };
  readonly sources: { readonly RawSource: new (source: string) => Source };
  readonly WebpackError?: new (message: string) => Error;
}

/** The part of a webpack or Rspack `Compiler` the plugin uses. */
export interface CompilerLike {
  readonly webpack?: BundlerExports;
  readonly rspack?: BundlerExports;
  readonly options: { readonly output: { readonly path?: string; readonly publicPath?: unknown } };
  /** True while watching: the worker then lives on between rebuilds. */
  readonly watchMode?: boolean;
  readonly hooks: {
    thisCompilation: { tap(name: string, fn: (compilation: Compilation) => void): void };
    make: { tapPromise(name: string, fn: () => Promise<void>): void };
    beforeRun: { tap(name: string, fn: () => void): void };
    watchRun: { tap(name: string, fn: () => void): void };
    done: { tap(name: string, fn: () => void): void };
    // Optional: the plugin only needs them to stop its worker early (an idle one never holds the process open).
    failed?: { tap(name: string, fn: () => void): void };
    watchClose?: { tap(name: string, fn: () => void): void };
    shutdown?: { tap(name: string, fn: () => void): void };
  };
}

/** Source maps and hot updates are never hinted. */
function hintable(file: string): boolean {
  return !file.endsWith('.map') && !file.includes('.hot-update.');
}

/** `output.publicPath` as a URL path: `auto`, relative and absolute-URL public paths count from the site root. */
function publicBase(publicPath: unknown): string {
  if (typeof publicPath !== 'string' || publicPath === 'auto') return '/';
  if (publicPath.startsWith('/')) return publicPath;
  if (/^https?:/i.test(publicPath)) return new URL(publicPath).pathname;
  return '/';
}

/**
 * The compilation as the bundle step's job takes it: HTML and CSS whole, other files by size
 * (read from the compilation if the crawl asks), each entrypoint's chunks. Which page is whose
 * entrypoint is worked out in the step, which parses the HTML (the crawl then reads the same parse).
 */
function readCompilation(compilation: Compilation) {
  const files = new Map<string, BundleJobFile>();
  const sources = new Map<string, Source>();
  const html: string[] = [];
  for (const asset of compilation.getAssets()) {
    if (asset.info.hotModuleReplacement || asset.info.development || !hintable(asset.name)) continue;
    const source = asset.source;
    sources.set(asset.name, source);
    if (/\.html?$/.test(asset.name)) {
      const raw = source.source();
      files.set(asset.name, typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8'));
      html.push(asset.name);
    } else if (sentWhole(asset.name)) {
      files.set(asset.name, source.source());
    } else {
      // Scripts are listed by name and size: their source is only produced if the crawl asks.
      files.set(asset.name, { size: source.size() });
    }
  }

  const chunks = new Map<string, BundleChunk>();
  const entrypoints: BundleJobEntrypoint[] = [];
  for (const [name, entrypoint] of compilation.entrypoints) {
    const scripts: string[] = [];
    for (const chunk of entrypoint.chunks) {
      const own = [...chunk.files].filter(hintable);
      const js = own.filter((file) => /\.[cm]?js$/.test(file));
      const css = own.filter((file) => file.endsWith('.css'));
      const assets = [...chunk.auxiliaryFiles].filter(hintable);
      // A chunk with CSS and no script (a CSS-only split chunk) hangs its files on a chunk of its own name.
      const key = js[0] ?? css[0];
      if (key === undefined) continue;
      chunks.set(key, { fileName: key, imports: js.slice(1), css, assets, module: false });
      scripts.push(key);
    }
    entrypoints.push({ name, scripts });
  }
  // html-webpack-plugin and HtmlRspackPlugin inject the page's chunks as <script src>: the step
  // gives each page the entrypoints all of whose scripts it loads. Without HTML, each entrypoint is a route.
  const pages: BundleJobPages = { kind: 'entrypoints', html, entrypoints };
  const read = (name: string) => {
    const source = sources.get(name);
    if (source === undefined) throw new Error(`${name} is not in the compilation`);
    return source.source();
  };
  return { files, chunks, pages, read, empty: html.length === 0 && entrypoints.length === 0 };
}

function warningText(root: string, warning: CrawlWarning): string {
  const file = warning.file.startsWith(root) ? warning.file.slice(root.length + 1).replace(/\\/g, '/') : warning.file;
  const shown = file.includes('\0') ? '(entrypoint)' : file;
  return `${PLUGIN}: ${warning.line ? `${shown}:${warning.line}:${warning.column ?? 1}` : shown}: ${warning.message}`;
}

/**
 * `new PushManifestPlugin(options)` in `plugins` of a webpack 5 or Rspack config. Emits
 * `push-manifest.json` (`fileName`, `format`) into the output folder on every build and rebuild.
 */
export class PushManifestPlugin {
  private readonly raw: PushManifestPluginOptions;

  constructor(options: PushManifestPluginOptions = {}) {
    this.raw = options;
  }

  apply(compiler: CompilerLike): void {
    const bundler = compiler.rspack ?? compiler.webpack;
    if (!bundler) throw new Error(`@push-manifest/webpack: the compiler has neither compiler.webpack nor compiler.rspack (webpack 5 or Rspack is required)`);
    const load = bundleStepLoader('@push-manifest/webpack', this.raw);
    // The worker starts loading the step (zod, the crawler) as a run starts, on another core
    // while the bundler builds; the options are validated there at once.
    const start = () => {
      load.start();
      void load.options();
    };
    compiler.hooks.beforeRun.tap(PLUGIN, start);
    compiler.hooks.watchRun.tap(PLUGIN, start);
    // A single run's worker is stopped when it is done; a watching compiler's lives on between
    // rebuilds (loaded and warm) until the watch or the compiler closes.
    const runOver = () => {
      if (compiler.watchMode !== true) load.stop();
    };
    compiler.hooks.done.tap(PLUGIN, runOver);
    compiler.hooks.failed?.tap(PLUGIN, runOver);
    compiler.hooks.watchClose?.tap(PLUGIN, () => load.stop());
    compiler.hooks.shutdown?.tap(PLUGIN, () => load.stop());
    // A bad option fails the build in make, naming the option: make's taps run in parallel, so
    // waiting for the worker here does not hold up the modules the entries build meanwhile.
    compiler.hooks.make.tapPromise(PLUGIN, async () => {
      await load.options();
    });
    compiler.hooks.thisCompilation.tap(PLUGIN, (compilation) => {
      compilation.hooks.processAssets.tapPromise({ name: PLUGIN, stage: bundler.Compilation.PROCESS_ASSETS_STAGE_REPORT }, async () => {
        const options = await load.options();
        const root = resolve(compiler.options.output.path ?? 'dist');
        const base = options.base ?? publicBase(compiler.options.output.publicPath);
        const { files, chunks, pages, read, empty } = readCompilation(compilation);
        const warn = (message: string) => compilation.warnings.push(bundler.WebpackError ? new bundler.WebpackError(message) : new Error(message));
        if (empty) {
          warn(`${PLUGIN}: the compilation has no HTML page and no entrypoint; no manifest emitted`);
          return;
        }
        const { text, warnings } = await load.run({ root, base, files, chunks, pages }, options, read);
        for (const warning of warnings) warn(warningText(root, warning));
        const source = new bundler.sources.RawSource(text);
        if (compilation.getAsset(options.fileName)) compilation.updateAsset(options.fileName, source);
        else compilation.emitAsset(options.fileName, source);
      });
    });
  }
}

export default PushManifestPlugin;
