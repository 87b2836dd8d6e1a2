/**
 * `@push-manifest/core`: crawl a built site into a push manifest, and read, validate and write
 * every manifest format. The request-time runtime lives in `@push-manifest/core/runtime`.
 */
export * from './manifest/index.js';
export { writeFileAtomic } from './util/atomic-write.js';
