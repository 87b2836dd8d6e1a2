/**
 * 103 Early Hints: the route's links, sent before the response is produced. On HTTP/2 only by
 * default (Chromium ignores 103 over HTTP/1.1 and old proxies break on it), `'always'` for both.
 * Only the first 103 of a response: browsers act on the first and ignore the rest.
 */
import type { ServerResponse } from 'node:http';
import type { Http2ServerResponse, ServerHttp2Stream } from 'node:http2';
import type { Route } from './route-table.js';

/** The `earlyHints` option: off, HTTP/2 only (true), or every protocol. */
export type EarlyHintsMode = boolean | 'always';

/** Responses and streams that already got their 103. */
const hinted = new WeakSet<object>();

/** Whether a 103 may go out for a navigation over this protocol version. */
export function earlyHintsAllowed(mode: EarlyHintsMode, httpVersionMajor: number): boolean {
  if (mode === 'always') return true;
  return mode === true && httpVersionMajor >= 2;
}

/** Send the route's 103 on a raw HTTP/2 stream. Returns whether one went out. */
export function sendEarlyHintsOnStream(stream: ServerHttp2Stream, route: Route): boolean {
  if (route.earlyHints.length === 0 || stream.headersSent || stream.destroyed || hinted.has(stream)) return false;
  hinted.add(stream);
  stream.additionalHeaders({ ':status': 103, link: route.earlyHintsValue });
  return true;
}

/**
 * Send the route's 103 through a node:http or node:http2 compatibility response, with Node's
 * `writeEarlyHints`. Node's check on that API rejects some valid links (quoted values with
 * spaces): over HTTP/2 those go out whole through the stream, over HTTP/1.1 they are left out.
 */
export function sendEarlyHintsOnResponse(res: ServerResponse | Http2ServerResponse, route: Route, http2: boolean): boolean {
  if (res.headersSent || hinted.has(res)) return false;
  if (http2) {
    const stream = (res as Http2ServerResponse).stream;
    if (route.earlyHintsForNode.length === route.earlyHints.length) {
      if (route.earlyHints.length === 0 || stream.destroyed) return false;
      hinted.add(res);
      (res as Http2ServerResponse).writeEarlyHints({ link: route.earlyHints as string[] });
      return true;
    }
    if (!sendEarlyHintsOnStream(stream, route)) return false;
    hinted.add(res);
    return true;
  }
  if (route.earlyHintsForNode.length === 0) return false;
  hinted.add(res);
  (res as ServerResponse).writeEarlyHints({ link: route.earlyHintsForNode as string[] });
  return true;
}
