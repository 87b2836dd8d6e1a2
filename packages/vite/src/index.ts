/**
 * `@push-manifest/vite`: emit a push manifest from Vite's bundle graph, and serve its hints in
 * `vite preview`. Two plugins sharing one context (as vite-plugin-pwa does): the build one runs
 * last in the client environment only (an SSR build has no pages to hint), the preview one puts
 * the runtime's middleware in front of Vite's static files.
 *
 * This module loads only the bundle step's loader: the step itself (zod, the crawler) loads on
 * the step's worker, started once a build has resolved its config (not when Vite imports the
 * config, nor in `vite dev`), while Vite builds; `generateBundle` posts it the bundle and awaits
 * the manifest.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Plugin, ResolvedConfig } from 'vite';
import { bundleStepLoader, sentWhole, type BundleJob, type BundleJobFile, type BundleStepLoader } from '@push-manifest/core/bundle-loader';
import type { BundleChunk, BundlePage, BundlePluginOptions, CrawlWarning, ResolvedBundleOptions } from '@push-manifest/core/bundle';

/** Options of {@link pushManifest}. */
export type PushManifestOptions = BundlePluginOptions;

const PLUGIN = '@push-manifest/vite';

/** What the build and preview plugins share: the options, validated once, and the bundle step, loaded once. */
interface Context {
  readonly load: BundleStepLoader;
}

/** `/` for Vite's relative bases (`./`, ``), which are resolved against each page: the manifest then lists paths from the site root. */
function siteBase(options: ResolvedBundleOptions, config: ResolvedConfig): string {
  if (options.base !== undefined) return options.base.startsWith('.') ? '/' : options.base;
  const base = config.base;
  if (base.startsWith('/')) return base;
  if (/^https?:/i.test(base)) return new URL(base).pathname;
  return '/';
}

/** Vite's view of one output file: only what the adapter reads. */
interface ViteChunk {
  type: 'chunk';
  code: string;
  isEntry: boolean;
  facadeModuleId: string | null;
  imports: string[];
  viteMetadata?: { importedCss: Set<string>; importedAssets: Set<string> };
}
interface ViteAsset {
  type: 'asset';
  source: string | Uint8Array;
}

/** An output file as the job takes it: HTML and CSS whole, others by size (the worker asks for one if the crawl parses it). */
function jobFile(fileName: string, contents: string | Uint8Array): BundleJobFile {
  if (sentWhole(fileName)) return contents;
  return { size: typeof contents === 'string' ? Buffer.byteLength(contents) : contents.byteLength };
}

/** The bundle as the bundle step's job takes it: files, chunks with their static deps, HTML pages with their entries. */
function readBundle(bundle: Record<string, ViteChunk | ViteAsset>, config: ResolvedConfig) {
  const files = new Map<string, BundleJobFile>();
  const chunks = new Map<string, BundleChunk>();
  const entriesByHtml = new Map<string, string[]>();
  for (const [fileName, output] of Object.entries(bundle)) {
    if (output.type === 'asset') {
      files.set(fileName, jobFile(fileName, output.source));
      continue;
    }
    files.set(fileName, jobFile(fileName, output.code));
    chunks.set(fileName, {
      fileName,
      // `imports` also lists externals; bundleManifest keeps only chunks of the bundle. Never `dynamicImports`.
      imports: output.imports,
      css: [...(output.viteMetadata?.importedCss ?? [])],
      assets: [...(output.viteMetadata?.importedAssets ?? [])],
      module: true,
    });
    // An HTML page's entry chunk has the page as its facade; the page is emitted at its path from the root.
    if (output.isEntry && output.facadeModuleId && /\.html?$/.test(output.facadeModuleId)) {
      const page = relative(config.root, output.facadeModuleId).split(sep).join('/');
      entriesByHtml.set(page, [...(entriesByHtml.get(page) ?? []), fileName]);
    }
  }
  const pages: Omit<BundlePage, 'parsed'>[] = [];
  for (const fileName of files.keys()) {
    if (/\.html?$/.test(fileName)) pages.push({ html: fileName, entries: entriesByHtml.get(fileName) ?? [] });
  }
  return { files, chunks, pages };
}

function warningText(root: string, warning: CrawlWarning): string {
  const file = relative(root, warning.file).split(sep).join('/').replace(/\0route-\d+\.html$/, '(route)');
  const where = warning.line ? `${file}:${warning.line}:${warning.column ?? 1}` : file;
  return `${where}: ${warning.message}`;
}

/** The build plugin: the manifest of the client build, emitted as an asset. */
function buildPlugin(context: Context): Plugin {
  let config: ResolvedConfig | undefined;
  return {
    name: 'push-manifest:build',
    apply: 'build',
    enforce: 'post',
    // Pages and hints belong to the browser build; an SSR environment's output is server code.
    applyToEnvironment: (environment) => environment.config.consumer === 'client',
    configResolved(resolved) {
      config = resolved;
      // The worker starts loading the step (zod, the crawler) now, on another core: nothing here
      // waits for it, as Vite's thread is busy for the whole build and a wait would lengthen it.
      context.load.start();
      void context.load.options();
    },
    buildStart() {
      // A rebuild (watch mode) after closeBundle stopped the worker: another starts.
      context.load.start();
    },
    async buildEnd(error) {
      // A bad option fails the build here, naming the option, before any output is rendered: by
      // the end of the module phase the worker has long validated the options.
      if (error === undefined) await context.load.options();
    },
    async generateBundle(_output, bundle) {
      const environmentConfig = (this as { environment?: { config: ResolvedConfig } }).environment?.config ?? config!;
      if (environmentConfig.build.ssr) return;
      const options = await context.load.options();
      const outDir = resolve(environmentConfig.root, environmentConfig.build.outDir);
      const outputs = bundle as unknown as Record<string, ViteChunk | ViteAsset>;
      const { files, chunks, pages } = readBundle(outputs, environmentConfig);
      if (pages.length === 0) {
        this.warn(`${PLUGIN}: the bundle has no HTML page; no manifest emitted (for a server-rendered app, use push-manifest generate --from-vite)`);
        return;
      }
      const job: BundleJob = { root: outDir, base: siteBase(options, environmentConfig), files, chunks, pages: { kind: 'pages', pages } };
      const read = (fileName: string) => {
        const output = outputs[fileName];
        if (output === undefined) throw new Error(`${fileName} is not in the bundle`);
        return output.type === 'asset' ? output.source : output.code;
      };
      const { text, warnings } = await context.load.run(job, options, read);
      for (const warning of warnings) this.warn(`${PLUGIN}: ${warningText(outDir, warning)}`);
      this.emitFile({ type: 'asset', fileName: options.fileName, source: text });
    },
    closeBundle() {
      // The worker is idle until the next build (if any): its thread and memory are given back.
      context.load.stop();
    },
  };
}

/** The preview plugin: `Link` headers (and 103 Early Hints over HTTP/2) from the emitted manifest. */
function previewPlugin(context: Context): Plugin {
  return {
    name: 'push-manifest:preview',
    async configurePreviewServer(server) {
      const options = await context.load.options();
      const config = server.config;
      const outDir = resolve(config.root, config.build.outDir);
      const manifestPath = isAbsolute(options.fileName) ? options.fileName : join(outDir, options.fileName);
      if (!existsSync(manifestPath)) {
        config.logger.warn(`${PLUGIN}: ${relative(config.root, manifestPath)} not found; preview serves no hints (run vite build first)`);
        return;
      }
      // Pushes are left off: Chromium refuses them, and preview is for checking the hints a browser acts on.
      // Loaded here, not at the top: only preview serves, and a build should not pay the runtime's load (25-45 ms).
      const { createPushHandler } = await import('@push-manifest/core/runtime');
      const handler = await createPushHandler({ manifestPath, push: false, link: true, earlyHints: true, watch: false });
      server.middlewares.use((req, res, next) => handler.middleware(req, res, next));
    },
  };
}

/**
 * The Vite plugins: `plugins: [pushManifest()]` in `vite.config.ts`. Emits `push-manifest.json`
 * (`fileName`, `format`) into the build output, and serves its hints in `vite preview`.
 */
export function pushManifest(options: PushManifestOptions = {}): Plugin[] {
  const context: Context = { load: bundleStepLoader(PLUGIN, options) };
  return [buildPlugin(context), previewPlugin(context)];
}

export default pushManifest;
