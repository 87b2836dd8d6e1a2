/**
 * Writing a static response on a raw node:http2 stream, a request's or a pushed one: from the
 * root's body cache when it holds the very file, else from disk through a JS read stream.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { ServerHttp2Stream } from 'node:http2';
import { streamFile, type ByteRange } from './stream-file.js';
import { peekRequest, resolveRequest, type RequestLookup } from './lookup.js';
import { currentFile, planResponse, redirectLocation, withAddedHeaders } from './plan.js';
import type { StaticFile, StaticRoot } from './root.js';

/** What {@link answerStaticStream} hands back when it cannot answer a request itself. */
export interface StreamFallbacks {
  /** The root has nothing for the request: answer 404, or pass it on. */
  none(stream: ServerHttp2Stream, extraHeaders: OutgoingHttpHeaders): void;
  /** The root's lookup or the disk failed (an I/O error, not a missing file); `url` is the request's. */
  failed(stream: ServerHttp2Stream, url: string, error: unknown, extraHeaders: OutgoingHttpHeaders): void;
}

/**
 * Answer a raw node:http2 stream from the root, like {@link serveStaticStream}, without a promise
 * when the lookup is cached and the body in memory (a plain asset, the server's common request):
 * the server's own path. `fallbacks` get what it cannot answer.
 */
export function answerStaticStream(
  staticRoot: StaticRoot,
  stream: ServerHttp2Stream,
  requestHeaders: IncomingHttpHeaders,
  extraHeaders: OutgoingHttpHeaders,
  fallbacks: StreamFallbacks,
): void {
  const method = String(requestHeaders[':method'] ?? 'GET');
  const url = String(requestHeaders[':path'] ?? '/');
  const known = peekRequest(staticRoot, method, url, requestHeaders['accept-encoding']);
  if (known !== undefined) {
    answerLookup(staticRoot, stream, requestHeaders, extraHeaders, url, known, fallbacks);
    return;
  }
  resolveRequest(staticRoot, method, url, requestHeaders['accept-encoding']).then(
    (found) => answerLookup(staticRoot, stream, requestHeaders, extraHeaders, url, found, fallbacks),
    (error: unknown) => fallbacks.failed(stream, url, error, extraHeaders),
  );
}

function answerLookup(
  staticRoot: StaticRoot,
  stream: ServerHttp2Stream,
  requestHeaders: IncomingHttpHeaders,
  extraHeaders: OutgoingHttpHeaders,
  url: string,
  found: RequestLookup,
  fallbacks: StreamFallbacks,
): void {
  if (found === 'bad-path') {
    respondPlain(stream, 400, 'Bad Request\n', extraHeaders);
    return;
  }
  if (found === 'skip' || found.kind === 'none') {
    fallbacks.none(stream, extraHeaders);
    return;
  }
  if (found.kind === 'redirect') {
    const location = redirectLocation(found.location, url);
    respondPlain(stream, 301, `Redirecting to ${location}\n`, { ...extraHeaders, location });
    return;
  }
  if (stream.destroyed || stream.closed) return;
  const method = String(requestHeaders[':method'] ?? 'GET');
  if (method === 'HEAD' || requestHeaders.range !== undefined) {
    sendFromDisk(staticRoot, stream, found.file, method, requestHeaders, extraHeaders, fileErrorHandler(stream, extraHeaders)).catch((error: unknown) => fallbacks.failed(stream, url, error, extraHeaders));
    return;
  }
  const conditional = requestHeaders['if-none-match'] !== undefined || requestHeaders['if-modified-since'] !== undefined;
  sendFile(staticRoot, stream, found.file, method, requestHeaders, extraHeaders, conditional, undefined);
}

/**
 * Answer a raw node:http2 stream from the root: from the in-memory body cache when it holds the
 * file, else from disk (see sendFromDisk for why not respondWithFile). `extraHeaders` (a Link
 * header, say) are added to a successful response. Resolves false when there is no file.
 */
export async function serveStaticStream(
  staticRoot: StaticRoot,
  stream: ServerHttp2Stream,
  requestHeaders: IncomingHttpHeaders,
  extraHeaders: OutgoingHttpHeaders = {},
): Promise<boolean> {
  const method = String(requestHeaders[':method'] ?? 'GET');
  const url = String(requestHeaders[':path'] ?? '/');
  const result = peekRequest(staticRoot, method, url, requestHeaders['accept-encoding']) ?? (await resolveRequest(staticRoot, method, url, requestHeaders['accept-encoding']));
  if (result === 'bad-path') {
    respondPlain(stream, 400, 'Bad Request\n', extraHeaders);
    return true;
  }
  if (result === 'skip' || result.kind === 'none') return false;
  if (result.kind === 'redirect') {
    const location = redirectLocation(result.location, url);
    respondPlain(stream, 301, `Redirecting to ${location}\n`, { ...extraHeaders, location });
    return true;
  }
  if (stream.destroyed || stream.closed) return true;
  await respondWithStaticFile(staticRoot, stream, result.file, requestHeaders, extraHeaders);
  return true;
}

/**
 * Send a file already looked up in `staticRoot` on a raw HTTP/2 stream (a request's or a pushed
 * one): 200/206/304/416 as the request headers ask, the body from memory when the body cache holds
 * the same file, else read from disk, validators always describing the bytes sent.
 */
export async function respondWithStaticFile(
  staticRoot: StaticRoot,
  stream: ServerHttp2Stream,
  file: StaticFile,
  requestHeaders: IncomingHttpHeaders = {},
  extraHeaders: OutgoingHttpHeaders = {},
): Promise<void> {
  const method = String(requestHeaders[':method'] ?? 'GET');
  const onError = fileErrorHandler(stream, extraHeaders);
  if (method === 'HEAD' || requestHeaders.range !== undefined) {
    await sendFromDisk(staticRoot, stream, file, method, requestHeaders, extraHeaders, onError);
    return;
  }
  const conditional = requestHeaders['if-none-match'] !== undefined || requestHeaders['if-modified-since'] !== undefined;
  sendFile(staticRoot, stream, file, method, requestHeaders, extraHeaders, conditional, onError);
}

/** What to do when a looked-up file cannot be opened (it vanished since): 404 if we still can. */
function fileErrorHandler(stream: ServerHttp2Stream, extraHeaders: OutgoingHttpHeaders): (error: NodeJS.ErrnoException) => void {
  return (error) => {
    if (!stream.destroyed && !stream.headersSent) {
      respondPlain(stream, error.code === 'ENOENT' ? 404 : 500, error.code === 'ENOENT' ? 'Not Found\n' : 'Internal Server Error\n', extraHeaders);
    } else {
      stream.destroy();
    }
  };
}

const NO_HEADERS: IncomingHttpHeaders = Object.freeze({});

const NO_EXTRA: OutgoingHttpHeaders = Object.freeze({});

/**
 * Answer a pushed stream with `file`, a result of `staticRoot.lookup`: from memory when the body
 * cache holds that very file, else read from disk, and with validators (ETag, Last-Modified,
 * length) that describe the bytes sent even if the file changed since the lookup. `settled` is
 * called once: with nothing when the headers went out (at once from memory), with the error when
 * the file cannot be sent (it vanished, say); the caller then resets the pushed stream, since a
 * pushed 404 would be stored by the client as the answer for that URL. May throw if the stream is
 * already gone (the caller catches).
 */
export function respondPushedFile(staticRoot: StaticRoot, stream: ServerHttp2Stream, file: StaticFile, settled: (error?: Error) => void): void {
  const cached = cachedBody(staticRoot, file);
  if (cached !== undefined) {
    stream.respond(file.headers);
    stream.end(cached);
    settled();
    return;
  }
  sendFromDisk(staticRoot, stream, file, 'GET', NO_HEADERS, NO_EXTRA, settled).then(
    () => settled(stream.headersSent ? undefined : new Error('pushed stream closed before its response')),
    settled,
  );
}

/**
 * The body of `file` from the root's body cache, when it holds the very file the lookup described
 * (same size and mtime, so its ETag and length are right); else undefined, and a small file is
 * read into the cache for next time.
 */
function cachedBody(staticRoot: StaticRoot, file: StaticFile): Buffer | undefined {
  const bodies = staticRoot.bodies;
  if (bodies === undefined) return undefined;
  const cached = bodies.get(file.path);
  if (cached !== undefined && cached.size === file.size && cached.mtimeMs === file.mtimeMs) return cached.body;
  bodies.load(file.path, file.size);
  return undefined;
}

/** The whole file (GET, no Range), from memory or from disk; `onError` when it cannot be opened. */
function sendFile(
  staticRoot: StaticRoot,
  stream: ServerHttp2Stream,
  file: StaticFile,
  method: string,
  requestHeaders: IncomingHttpHeaders,
  extraHeaders: OutgoingHttpHeaders,
  conditional: boolean,
  onError: ((error: NodeJS.ErrnoException) => void) | undefined,
): void {
  const cached = conditional ? undefined : cachedBody(staticRoot, file);
  if (cached !== undefined) {
    stream.respond(extraHeaders === NO_EXTRA || isEmpty(extraHeaders) ? file.headers : withAddedHeaders(file.headers, extraHeaders));
    stream.end(cached);
    return;
  }
  // Not respondWithFile: see sendFromDisk. The error handler is made only now: a response from
  // memory needs none.
  const failed = onError ?? fileErrorHandler(stream, extraHeaders);
  sendFromDisk(staticRoot, stream, file, method, requestHeaders, extraHeaders, failed).catch(failed);
}

function isEmpty(headers: OutgoingHttpHeaders): boolean {
  for (const _ in headers) return false;
  return true;
}

/**
 * Answer from the file on disk: open, fstat, decide 200/206/304/416 on the descriptor's own size
 * and mtime (a cached lookup may be up to cacheMs old), then send the bytes through a JS read
 * stream. NOT respondWithFile/respondWithFD: on Node 20.20 a stream answered that way and reset by
 * the client while the file is being read kills the whole process with SIGSEGV (the native file
 * pipe writes into the destroyed stream; `test/e2e/resets.test.ts` shows it within a few hundred
 * cancelled requests, for files of any size). A JS pipe only ends the stream. Small files are
 * served from the body cache after their first use anyway, so this path is the cold or big one.
 * `onError` gets a failure to open (the file vanished); other errors reject.
 */
async function sendFromDisk(
  staticRoot: StaticRoot,
  stream: ServerHttp2Stream,
  cached: StaticFile,
  method: string,
  requestHeaders: IncomingHttpHeaders,
  extraHeaders: OutgoingHttpHeaders,
  onError: (error: NodeJS.ErrnoException) => void,
): Promise<void> {
  const failed = await streamFile(
    cached.path,
    (stats): ByteRange | undefined => {
      const file = currentFile(staticRoot, cached, stats);
      const plan = planResponse(file, method, requestHeaders, stats.size);
      if (stream.destroyed) return undefined;
      const headers: OutgoingHttpHeaders = { ...withAddedHeaders(plan.headers, extraHeaders), ':status': plan.status };
      const range = plan.range ?? { start: 0, end: stats.size - 1 };
      if ((plan.status !== 200 && plan.status !== 206) || method === 'HEAD' || range.end < range.start) {
        // A 304/416; HEAD (the GET's headers, content-length included, no DATA frames); an empty file.
        stream.respond(headers, { endStream: true });
        return undefined;
      }
      stream.respond(headers);
      return range;
    },
    stream,
  );
  if (failed !== undefined) {
    staticRoot.invalidate(cached.path);
    onError(failed);
  }
}

/** A short text response on a raw HTTP/2 stream. */
export function respondPlain(stream: ServerHttp2Stream, status: number, body: string, extra: OutgoingHttpHeaders = {}): void {
  if (stream.destroyed || stream.headersSent) return;
  stream.respond({
    ...extra,
    ':status': status,
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  stream.end(body);
}
