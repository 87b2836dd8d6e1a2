/**
 * `@push-manifest/core/runtime`: serve a push manifest as HTTP/2 pushes, `Link` preload headers
 * and 103 Early Hints. Must never import the crawler (parse5, css-tree): a server that only
 * reads a manifest should not pay for them.
 */
export {
  createStaticRoot,
  serveStatic,
  serveStaticStream,
  planResponse,
  type StaticFile,
  type StaticRoot,
  type StaticRootOptions,
  type StaticResolution,
} from './static.js';
