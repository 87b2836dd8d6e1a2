/**
 * `@push-manifest/core/manifest`: the manifest model, schema and formats, and the error class.
 * Light on purpose (zod and node built-ins only): `validate`, `convert` and the runtime load this,
 * never the crawler.
 */
export * from './model.js';
export { PushManifestError, isPushManifestError } from '../errors.js';
export type { PushManifestErrorCode, PushManifestErrorOptions } from '../errors.js';
export { detectFormat, MANIFEST_FORMATS, type ManifestFormat } from './formats/detect.js';
export { ANY_PAGE_PATTERN } from './formats/polymer.js';
export {
  parseManifest,
  readJsonFile,
  readManifestFile,
  readManifestJson,
  validateManifestJson,
  type ManifestReadResult,
  type ParseManifestOptions,
} from './read.js';
export { formatLeftOut, leftOutWarning, resolveAutoFormat, serializeManifest, writeManifestFile, type AutoFormatOptions } from './write.js';
export { createManifestStream, type ManifestStream, type ManifestStreamResult, type StreamFormat } from './write-stream.js';
export type { LeftOut } from './formats/legacy.js';
export { V1_MARKER, V1_VERSION } from './formats/v1.js';
export { checkManifest, isManifest } from './check-model.js';
export { sortByWeight } from './formats/entries.js';
export { formatProblem, formatProblemPath, type ManifestProblem } from './problems.js';
export { checkManifestFiles, type CheckFilesOptions } from './check-files.js';
export { manifestJsonSchema, pushManifestSchema, pageEntriesSchema, pagesManifestSchema, resourceEntrySchema, preconnectEntrySchema, v1ManifestSchema } from './schema.js';
export { unsafeUrlReason, badOriginReason, resolveManifestPath } from './url-safety.js';
