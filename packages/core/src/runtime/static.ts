/**
 * Safe static file serving, in `static/`: resolve the path (root.ts, with util/served-path.ts, encodings.ts
 * and lookup-cache.ts) → what the request finds (lookup.ts) → plan the response, pure (plan.ts) →
 * write it on node:http (http1.ts) or a raw HTTP/2 stream (http2.ts). This module keeps the
 * exports `@push-manifest/core/runtime` had.
 */
export { createStaticRoot, isStaticFile, isStaticRoot, type StaticFile, type StaticResolution, type StaticRoot, type StaticRootOptions } from './static/root.js';
export { planResponse, redirectLocation, withAddedHeaders } from './static/plan.js';
export { serveStatic } from './static/http1.js';
export { answerStaticStream, respondPlain, respondPushedFile, respondWithStaticFile, serveStaticStream, type StreamFallbacks } from './static/http2.js';
export { isServedRealPath as isServable } from '../util/served-path.js';
