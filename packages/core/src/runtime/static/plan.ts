/**
 * Planning a file response, pure: the status and headers for a file and the request's headers
 * (200, 206, 304, 416), the headers of a file that changed since its lookup, a handler's added
 * headers merged in, a redirect's Location. No I/O here: the writers (http1.ts, http2.ts) do it.
 */
import type { Stats } from 'node:fs';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { ifRangeAllows, isNotModified, parseRange, weakEtag } from '../conditional.js';
import type { StaticFile, StaticRoot } from './root.js';

/** Headers of a file whose size or mtime changed since the lookup (the body sent is the new one). */
export function refreshHeaders(headers: Record<string, string>, stats: Stats): void {
  headers.etag = weakEtag(stats.size, stats.mtimeMs);
  headers['last-modified'] = stats.mtime.toUTCString();
  headers['content-length'] = String(stats.size);
}

type AnyHeaders = IncomingHttpHeaders;

/** The status and headers to answer `file` with, given the request headers: 200, 206, 304 or 416. */
export function planResponse(
  file: StaticFile,
  method: string,
  requestHeaders: AnyHeaders,
  size = file.size,
): { status: 200 | 206 | 304 | 416; headers: Record<string, string>; range?: { start: number; end: number } } {
  const headers: Record<string, string> = { ...file.headers, 'accept-ranges': 'bytes' };
  if (isNotModified(requestHeaders['if-none-match'], requestHeaders['if-modified-since'], headers.etag ?? file.etag, file.mtimeMs)) {
    // A 304 carries the validators and caching headers, never a body or content-* fields.
    delete headers['content-length'];
    delete headers['content-type'];
    delete headers['content-encoding'];
    delete headers['accept-ranges'];
    return { status: 304, headers };
  }
  if (method === 'GET' && requestHeaders.range !== undefined && ifRangeAllows(requestHeaders['if-range'], headers['last-modified'] ?? '')) {
    const range = parseRange(requestHeaders.range, size);
    if (range === 'unsatisfiable') {
      return { status: 416, headers: { 'content-range': `bytes */${size}`, 'content-length': '0' } };
    }
    if (range) {
      headers['content-range'] = `bytes ${range.start}-${range.end}/${size}`;
      headers['content-length'] = String(range.end - range.start + 1);
      return { status: 206, headers, range };
    }
  }
  return { status: 200, headers };
}

/** `file` as it is on disk now (`stats` from the open descriptor); drops a stale cache entry. */
export function currentFile(staticRoot: StaticRoot, file: StaticFile, stats: Stats): StaticFile {
  if (stats.size === file.size && stats.mtimeMs === file.mtimeMs) return file;
  staticRoot.invalidate(file.path);
  const headers = { ...file.headers };
  refreshHeaders(headers, stats);
  return { ...file, size: stats.size, mtimeMs: stats.mtimeMs, etag: headers.etag ?? file.etag, headers };
}

/**
 * A file's response headers with those a handler added (Link, Set-Cookie, Vary): both `Vary`
 * lists are kept, and the handler's `Cache-Control` (`private` with a digest cookie) wins.
 */
export function withAddedHeaders(base: OutgoingHttpHeaders, added: OutgoingHttpHeaders): OutgoingHttpHeaders {
  const merged: OutgoingHttpHeaders = { ...base, ...added };
  if (base.vary !== undefined && added.vary !== undefined) merged.vary = `${String(base.vary)}, ${String(added.vary)}`;
  return merged;
}

/**
 * The Location of a folder redirect: the checked folder path (never copied from the request, so
 * no open redirect) and the request's query, kept so `/about?x=1` lands on `/about/?x=1`. The
 * query is re-escaped to visible ASCII: nothing from the request can break the header.
 */
export function redirectLocation(folder: string, url: string): string {
  const query = url.indexOf('?');
  if (query === -1) return folder;
  return folder + url.slice(query).replace(/[^\x21-\x7e]/g, (c) => encodeURIComponent(c));
}
