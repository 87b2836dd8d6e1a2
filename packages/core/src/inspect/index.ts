/**
 * `@push-manifest/core/inspect`: look at what a live server pushes and hints for a page, and
 * compare it with a manifest. Light: node built-ins and the runtime's Link parser, no crawler.
 */
export { inspectUrl, parseInspectUrl, NAVIGATION_HEADERS, type InspectOptions } from './client.js';
export { summarise, CLOUDFLARE_LINK_LIMIT, NGINX_HEADER_BUFFER, type SummaryInput } from './summary.js';
export type * from './types.js';
export { compareWithManifest, type ManifestComparison, type Mismatch } from './compare.js';
export { hashStem, likelySuccessor } from './hashed-name.js';
export { readLinks } from './links.js';
