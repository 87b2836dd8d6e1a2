/**
 * `@push-manifest/webpack`: emit a push manifest from a webpack 5 or Rspack compilation. At
 * `processAssets` stage REPORT (every name final, HTML emitted) it reads each HTML page's
 * entrypoint (its initial chunks' files and `auxiliaryFiles`), crawls the emitted HTML and CSS in
 * memory, and emits the manifest with the bundler's own `RawSource`. Async chunks are never read.
 *
 * The bundler is never imported: its classes come from `compiler.webpack` (webpack, and Rspack
 * for compatibility) or `compiler.rspack`, and the types below are the few members both share.
 * Nor is the bundle step (zod, the crawler): this module loads only its loader, `apply` starts
 * the load, and `processAssets` awaits it, so importing the config that names the plugin stays cheap.
 */
import { resolve } from 'node:path';
import { bundleStepLoader, type BundleStep } from '@push-manifest/core/bundle-loader';
import type { BundleChunk, BundlePage, BundlePluginOptions, CrawlWarning, MemoryFile } from '@push-manifest/core/bundle';

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
  readonly hooks: {
    thisCompilation: { tap(name: string, fn: (compilation: Compilation) => void): void };
    make: { tapPromise(name: string, fn: () => Promise<void>): void };
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

/** The compilation as {@link bundleManifest} takes it. */
function readCompilation(compilation: Compilation, base: string, step: Pick<BundleStep, 'parseHtml' | 'pageScriptFiles'>) {
  const files = new Map<string, MemoryFile>();
  const html: { name: string; text: string }[] = [];
  for (const asset of compilation.getAssets()) {
    if (asset.info.hotModuleReplacement || asset.info.development || !hintable(asset.name)) continue;
    const source = asset.source;
    if (/\.html?$/.test(asset.name)) {
      const raw = source.source();
      const text = typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8');
      html.push({ name: asset.name, text });
      files.set(asset.name, text);
    } else {
      // Read only if the crawl parses it (CSS); scripts are listed by name and size.
      files.set(asset.name, { size: source.size(), read: () => source.source() });
    }
  }

  const chunks = new Map<string, BundleChunk>();
  const entrypoints: { name: string; scripts: string[] }[] = [];
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

  const pages: BundlePage[] = [];
  if (html.length > 0) {
    for (const page of html) {
      // html-webpack-plugin and HtmlRspackPlugin inject the page's chunks as <script src>: the
      // entrypoints all of whose scripts the page loads are its own (the runtime and shared
      // chunks are in several entrypoints, the entry chunk in one).
      // Parsed once: the crawl reads the same parse.
      const parsed = step.parseHtml(page.text);
      const loaded = new Set(step.pageScriptFiles(parsed, page.name, base));
      const entries = entrypoints.filter((e) => e.scripts.length > 0 && e.scripts.every((file) => loaded.has(file))).flatMap((e) => e.scripts);
      pages.push({ html: page.name, entries, parsed });
    }
  } else {
    for (const entrypoint of entrypoints) pages.push({ route: `/${entrypoint.name}`, entries: entrypoint.scripts });
  }
  return { files, chunks, pages };
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
    // Both start loading now, while the bundler sets up; the step is awaited only once the assets are final.
    const load = bundleStepLoader('@push-manifest/webpack', this.raw);
    void load.options();
    void load.step();
    // A bad option fails the build in make, naming the option: make's taps run in parallel, so
    // waiting for zod here does not hold up the modules the entries build meanwhile.
    compiler.hooks.make.tapPromise(PLUGIN, async () => {
      await load.options();
    });
    compiler.hooks.thisCompilation.tap(PLUGIN, (compilation) => {
      compilation.hooks.processAssets.tapPromise({ name: PLUGIN, stage: bundler.Compilation.PROCESS_ASSETS_STAGE_REPORT }, async () => {
        const [options, step] = await Promise.all([load.options(), load.step()]);
        const root = resolve(compiler.options.output.path ?? 'dist');
        const base = options.base ?? publicBase(compiler.options.output.publicPath);
        const { files, chunks, pages } = readCompilation(compilation, base, step);
        const warn = (message: string) => compilation.warnings.push(bundler.WebpackError ? new bundler.WebpackError(message) : new Error(message));
        if (pages.length === 0) {
          warn(`${PLUGIN}: the compilation has no HTML page and no entrypoint; no manifest emitted`);
          return;
        }
        const { manifest, warnings } = await step.bundleManifest({ root, base, files, chunks, pages }, options);
        for (const warning of warnings) warn(warningText(root, warning));
        const source = new bundler.sources.RawSource(step.serializeManifest(manifest, options.format));
        if (compilation.getAsset(options.fileName)) compilation.updateAsset(options.fileName, source);
        else compilation.emitAsset(options.fileName, source);
      });
    });
  }
}

export default PushManifestPlugin;
