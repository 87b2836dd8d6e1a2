/**
 * `@push-manifest/core`: crawl a built site into a push manifest, and read, validate and write
 * every manifest format. The request-time runtime lives in `@push-manifest/core/runtime`.
 */
export * from './manifest/index.js';
export { writeFileAtomic } from './util/atomic-write.js';
export { generateManifest, DEFAULT_TYPES } from './generate.js';
export type { GenerateOptions, GenerateResult, CrawlOptions, CrawlWarning } from './generate.js';
export { CONFIG_KEYS, defineConfig, pushManifestConfigSchema } from './config.js';
export type { PushManifestConfig } from './config.js';
export { extractFile, extractReady } from './crawl/extract.js';
export { createFileParser, parseFile, parseBytes, decodeUtf8 } from './crawl/extract.js';
export { isFileReadError } from './crawl/types.js';
export type { FileExtract, FileKind, FileParser, FileReadError, Ref, RefSource, Candidate, ExtractWarning } from './crawl/types.js';
export { CRITICALITY, orderByCriticality, weightAt } from './manifest/order.js';
export type { Criticality } from './manifest/order.js';
export { createParserPool, defaultThreads } from './crawl/pool.js';
export type { ParserPool, ParserPoolOptions, ParserPoolStats } from './crawl/pool.js';
export { createCachingParser, defaultCacheDir, extractorVersion } from './crawl/cache.js';
export type { CachingParser, ParseCacheOptions, ParseCacheStats } from './crawl/cache.js';
export type { SpeedOptions } from './crawl/speed.js';
export { checkDrift } from './inspect/drift.js';
export type { DriftItem, DriftOptions, DriftReport } from './inspect/drift.js';
export { addLearned, keepLearned, isLearned, type LearnedResource } from './measure/learned.js';
export { watchManifest } from './watch.js';
export type { WatchOptions, WatchHandlers, WatchRun } from './watch.js';
export { writeFileIfChanged } from './util/write-if-changed.js';
