/**
 * `@push-manifest/core/bundle`: the bundler-neutral step behind the Vite and webpack plugins and
 * `generate --from-vite`: pages → entry chunks → static dependencies → canonical manifest.
 */
export { bundleManifest } from './manifest.js';
export type { BundleChunk, BundleInput, BundlePage, BundleResult } from './manifest.js';
export { bundleOptionsSchema, resolveBundleOptions } from './options.js';
export type { BundlePluginOptions, ResolvedBundleOptions } from './options.js';
export { pageScriptFiles, parseHtml } from './page-scripts.js';
export type { ParsedHtml } from './page-scripts.js';
export { bundleFromViteManifest } from './vite-manifest.js';
export type { ViteManifestSource, ViteRoute } from './vite-manifest.js';
export { createMemoryParser } from '../crawl/memory.js';
export type { LazyFile, MemoryFile, MemoryFiles } from '../crawl/memory.js';
export { serializeManifest } from '../manifest/write.js';
export { PushManifestError, isPushManifestError } from '../errors.js';
export type { CrawlWarning } from '../crawl/graph.js';
export type { Manifest, Resource, ResourceType } from '../manifest/model.js';
export { runBundleJob } from './run-job.js';
export { sentWhole } from './job.js';
export type { BundleJob, BundleJobEntrypoint, BundleJobFile, BundleJobPages, BundleJobReader, BundleJobResult } from './job.js';
