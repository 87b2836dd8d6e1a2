/**
 * `@push-manifest/core/manifest`: the manifest model, schema and formats, and the error class.
 * Light on purpose (zod only): `validate`, `convert` and the runtime load this, never the crawler.
 */
export * from './model.js';
export { PushManifestError, isPushManifestError } from '../errors.js';
export type { PushManifestErrorCode, PushManifestErrorOptions } from '../errors.js';
