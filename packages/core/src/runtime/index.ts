/**
 * `@push-manifest/core/runtime`: serve a push manifest as HTTP/2 pushes, `Link` preload headers
 * and 103 Early Hints. Must never import the crawler (parse5, css-tree): a server that only
 * reads a manifest should not pay for them (test/runtime/light-entry.test.ts checks it).
 */
export { createPushHandler } from './handler.js';
export type { NextFunction, PushHandler, PushHandlerOptions } from './handler.js';
export type { DigestOptions, LogLevel, Logger } from './push-runtime.js';
export type { PushSkips, PushStats } from './stats.js';
export type { EarlyHintsMode } from './early-hints.js';
export { RouteTable, DEFAULT_LINK_HEADER_MAX } from './route-table.js';
export type { PreparedLink, PushCandidate, Route, RouteTableOptions } from './route-table.js';
export { formatLink, formatLinks, parseLinkHeader, relTokens, resourceLink, preconnectLink } from './link-header.js';
export type { LinkParam, LinkValue, ParsedLink } from './link-header.js';
export { CacheDigest, DEFAULT_DIGEST_COOKIE, DEFAULT_DIGEST_MAX_ENTRIES, DIGEST_MAX_ENTRIES_LIMIT, maxDigestEntries, digestHash, readCookie, digestSetCookie } from './cache-digest.js';
export { planClientPush, lastLinkHeader } from './client-push.js';
export type { ClientPushPlan } from './client-push.js';
export { DEFAULT_MAX_PUSHES, DEFAULT_PUSH_DIARY_SIZE, PushDiary } from './push.js';
export type { PushFile, PushSource } from './push.js';
export { isNavigation } from './request-kind.js';
export {
  createStaticRoot,
  serveStatic,
  serveStaticStream,
  respondWithStaticFile,
  planResponse,
  type StaticFile,
  type StaticRoot,
  type StaticRootOptions,
  type StaticResolution,
} from './static.js';
export { BodyCache, type BodyCacheOptions, type CachedBody } from './body-cache.js';
export { createPushServer, DEFAULT_SERVER_LIMITS } from './server.js';
export type { PushServer, PushServerOptions, RequestLogEntry, ServerLimits } from './server.js';
export { defaultCacheDir, type CacheDirOptions } from '../util/cache-dir.js';
export { spkiHash } from '../util/spki.js';
