/**
 * Safe static file serving: the files `serve` answers with and the files the push handler pushes.
 *
 * Security model (each check is explained where it is made):
 * 1. the request path is decoded once and checked as a string (`safe-path.ts`): no NUL, no
 *    backslash, no `.`/`..` segment, no drive letter, dotfiles hidden except `/.well-known/`;
 * 2. the file is joined under the root from those segments, then its REAL path (symlinks
 *    resolved) must still be inside the real root, checked with `path.relative`, not `startsWith`;
 * 3. precompressed siblings go through the same real-path check (a `.br` symlink cannot leak).
 */
import { createReadStream, realpathSync, statSync, type Stats } from 'node:fs';
import { open, realpath, stat, type FileHandle } from 'node:fs/promises';
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse, ServerHttp2Stream } from 'node:http2';
import { isAbsolute, join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream';
import { isPushManifestError, PushManifestError } from '../errors.js';
import { createCachePolicy, type CacheControlOptions } from './cache-control.js';
import { ifRangeAllows, isNotModified, parseRange, weakEtag } from './conditional.js';
import { contentTypeFor, isHtmlType } from './content-type.js';
import { encodeSegments, parseRequestPath, type SafePath } from './safe-path.js';
import { acceptedEncodings, encodingsKey, type AcceptedEncodings } from './static/encodings.js';
import { LookupCache } from './static/lookup-cache.js';
import { isServable } from './static/policy.js';
import { BodyCache, type BodyCacheOptions } from './body-cache.js';

/** A file ready to send: where it is, what it is, and the response headers that describe it. */
export interface StaticFile {
  /** File on disk actually sent (the `.br`/`.gz` variant when chosen); a real path inside the root. */
  path: string;
  size: number;
  mtimeMs: number;
  etag: string;
  /** Content type of the ORIGINAL file (a `.br` of `app.js` is still `text/javascript`). */
  contentType: string;
  encoding?: 'br' | 'gzip';
  /** content-type, content-length, etag, last-modified, cache-control, [content-encoding, vary]. */
  headers: Record<string, string>;
}

/** What a request path resolves to. */
export type StaticResolution =
  | { kind: 'file'; file: StaticFile }
  /** A folder asked for without its trailing slash: redirect so relative URLs in its index resolve. */
  | { kind: 'redirect'; location: string }
  | { kind: 'none' };

/** Options of {@link createStaticRoot}. */
export interface StaticRootOptions extends CacheControlOptions {
  /** File served for a folder URL ending in `/`. Default `index.html`. */
  index?: string;
  /**
   * Extensions tried for an extension-less path that names no file (clean URLs: `/about` serves
   * `about.html`). Default `['html']`; `[]` turns it off.
   */
  extensions?: string[];
  /** Serve `x.br` / `x.gz` siblings to clients that accept them. Default true. */
  precompressed?: boolean;
  /**
   * How long (ms) a lookup result is reused before the disk is asked again. Default 1000; 0 = never
   * cached. Served bodies and their length always come from the file as it is when opened.
   */
  cacheMs?: number;
  /** Most lookups kept in the cache. Default 2000. */
  cacheSize?: number;
  /**
   * Keep small files in memory for the HTTP/2 fast path (checked against a fresh stat on every
   * use, so never stale). Default on with {@link BodyCacheOptions} defaults; false turns it off.
   */
  memoryCache?: boolean | BodyCacheOptions;
}

/** Body caches of the roots made by createStaticRoot (a hand-made StaticRoot has none). */
const bodyCaches = new WeakMap<StaticRoot, BodyCache>();

/** A folder served safely. */
export interface StaticRoot {
  /** Realpath of the root. */
  readonly root: string;
  /**
   * `pathname` = raw request path, still percent-encoded; a query string is ignored. null = nothing
   * servable. Throws PushManifestError('BAD_PATH') for a bad escape / NUL / traversal (caller answers 400).
   */
  lookup(pathname: string, acceptEncoding?: string): Promise<StaticFile | null>;
  /** Like {@link lookup}, but also says when a folder URL needs a redirect to its `/` form. */
  resolve(pathname: string, acceptEncoding?: string): Promise<StaticResolution>;
  /**
   * The cached resolution of this path, if one is fresh; never touches the disk (the server's fast
   * path). Optional, so a hand-made StaticRoot without a cache still fits.
   */
  peek?(pathname: string, acceptEncoding?: string): StaticResolution | undefined;
  /** Forget cached lookups (all, or those whose file is `path`). */
  invalidate(path?: string): void;
  /** The lookup cache's size: entries and characters of keys (both bounded). Optional. */
  cacheStats?(): { entries: number; keyChars: number; maxEntries: number; maxKeyLength: number };
}

const NONE: StaticResolution = { kind: 'none' };

async function statOrNull(file: string): Promise<Stats | null> {
  try {
    return await stat(file);
  } catch {
    // ENOENT, ENOTDIR, ENAMETOOLONG, EACCES, ELOOP: all mean "nothing servable here".
    return null;
  }
}

/** A request path and Accept-Encoding, parsed, with the lookup cache key they make. */
interface ParsedRequest {
  path: SafePath;
  accept: AcceptedEncodings;
  key: string;
}
const MEMO_MAX_CHARS = 512;
const MEMO_MAX_ENTRIES = 1024;

/** Create a {@link StaticRoot}. Throws PushManifestError('ENOENT') when `root` is not a folder. */
export function createStaticRoot(root: string, options: StaticRootOptions = {}): StaticRoot {
  let realRoot: string;
  try {
    // The root's own real path, so that a root reached through a symlink still compares equal.
    realRoot = realpathSync(root);
  } catch (error) {
    throw new PushManifestError('ENOENT', `${root}: static root does not exist`, { file: root, cause: error });
  }
  if (!statSync(realRoot).isDirectory()) throw new PushManifestError('ENOENT', `${root}: static root is not a folder`, { file: root });
  const index = options.index ?? 'index.html';
  const extensions = options.extensions ?? ['html'];
  const precompressed = options.precompressed ?? true;
  const cacheMs = options.cacheMs ?? 1000;
  const cacheSize = options.cacheSize ?? 2000;
  const cache = new LookupCache<StaticResolution>({ maxEntries: cacheSize, ttlMs: cacheMs });
  const cachePolicy = createCachePolicy(options);

  /** Real path of `candidate` if it is a regular file inside the root, else null. */
  const realFile = async (candidate: string): Promise<{ real: string; stats: Stats } | null> => {
    let real: string;
    try {
      real = await realpath(candidate);
    } catch {
      return null;
    }
    // Symlinks inside the root are fine; one that leads out (or a folder symlinked out) is
    // refused, and one inside that points at a dotfile (`a.txt -> .env`) is hidden as well.
    if (!isServable(realRoot, real)) return null;
    const stats = await statOrNull(real);
    return stats?.isFile() ? { real, stats } : null;
  };

  const describe = async (original: { real: string; stats: Stats }, accept: AcceptedEncodings) => {
    const contentType = contentTypeFor(original.real);
    const cacheControl = cachePolicy(relative(realRoot, original.real).split(sep).join('/'), isHtmlType(contentType));
    let chosen = original;
    let encoding: 'br' | 'gzip' | undefined;
    let vary = false;
    if (precompressed) {
      for (const [coding, ext] of [
        ['br', '.br'],
        ['gzip', '.gz'],
      ] as const) {
        const variant = await realFile(original.real + ext);
        if (!variant) continue;
        // The response now depends on Accept-Encoding even for clients that get the original:
        // caches must key on it either way.
        vary = true;
        if (!encoding && accept[coding]) {
          chosen = variant;
          encoding = coding;
        }
      }
    }
    const etag = weakEtag(chosen.stats.size, chosen.stats.mtimeMs);
    const headers: Record<string, string> = {
      'content-type': contentType,
      'content-length': String(chosen.stats.size),
      etag,
      'last-modified': chosen.stats.mtime.toUTCString(),
      'cache-control': cacheControl,
    };
    if (encoding) headers['content-encoding'] = encoding;
    if (vary) headers.vary = 'Accept-Encoding';
    const file: StaticFile = {
      path: chosen.real,
      size: chosen.stats.size,
      mtimeMs: chosen.stats.mtimeMs,
      etag,
      contentType,
      headers,
    };
    if (encoding) file.encoding = encoding;
    return file;
  };

  const resolveUncached = async (
    segments: string[],
    trailingSlash: boolean,
    accept: AcceptedEncodings,
  ): Promise<StaticResolution> => {
    // Joined from checked segments, relative to the root: nothing here can be absolute or climb.
    const candidate = join(realRoot, ...segments);
    const stats = await statOrNull(candidate);
    if (stats?.isDirectory()) {
      if (!trailingSlash && segments.length > 0) {
        // `/docs` → `/docs/`, as send/serve-static do: serving the index at `/docs` would make its
        // relative links (`style.css`) resolve against `/` instead of `/docs/`. The Location is
        // rebuilt from the checked segments, never copied from the request (no open redirect).
        const target = await realFile(join(candidate, index));
        return target ? { kind: 'redirect', location: `${encodeSegments(segments)}/` } : NONE;
      }
      const target = await realFile(join(candidate, index));
      return target ? { kind: 'file', file: await describe(target, accept) } : NONE;
    }
    if (trailingSlash) return NONE; // `/app.css/` is not a folder
    if (stats?.isFile()) {
      const target = await realFile(candidate);
      return target ? { kind: 'file', file: await describe(target, accept) } : NONE;
    }
    const last = segments[segments.length - 1];
    if (last !== undefined && !last.includes('.')) {
      for (const ext of extensions) {
        const target = await realFile(`${candidate}.${ext}`);
        if (target) return { kind: 'file', file: await describe(target, accept) };
      }
    }
    return NONE;
  };

  /**
   * A request as the cache sees it: the decoded, checked path and the parsed encodings, so that
   * one file has one key however the request spells it (`%61pp.js`, `//app.js`, a 30 KB
   * Accept-Encoding). Throws BAD_PATH like parseRequestPath.
   */
  const requestOf = (pathname: string, acceptEncoding: string | undefined): ParsedRequest => {
    // The same request is looked at twice (the push handler's probe, then the response) and most
    // requests repeat a few spellings: short ones are remembered, in a map of bounded size.
    const memoKey = pathname.length + (acceptEncoding?.length ?? 0) <= MEMO_MAX_CHARS ? `${pathname}\0${acceptEncoding ?? ''}` : undefined;
    const known = memoKey === undefined ? undefined : parsed.get(memoKey);
    if (known !== undefined) return known;
    const path = parseRequestPath(pathname);
    const accept = acceptedEncodings(acceptEncoding);
    const key = `${encodingsKey(accept)}/${path.segments.join('/')}${path.trailingSlash && path.segments.length > 0 ? '/' : ''}`;
    const request = { path, accept, key };
    if (memoKey !== undefined) {
      if (parsed.size >= MEMO_MAX_ENTRIES) parsed.clear();
      parsed.set(memoKey, request);
    }
    return request;
  };
  /** Parsed requests by raw spelling: at most MEMO_MAX_ENTRIES of at most MEMO_MAX_CHARS. */
  const parsed = new Map<string, ParsedRequest>();

  const peek = (pathname: string, acceptEncoding?: string): StaticResolution | undefined => {
    if (cacheMs <= 0) return undefined;
    let key: string;
    try {
      key = requestOf(pathname, acceptEncoding).key;
    } catch {
      return undefined; // a bad path: resolve() says so
    }
    return cache.get(key);
  };

  /**
   * Lookups under way, by cache key: when a cached entry expires under load, every request for that
   * file would otherwise walk the disk again at once (stat, realpath, variants), one walk each.
   * Holds only keys the cache accepts, one per request in flight.
   */
  const inFlight = new Map<string, Promise<StaticResolution>>();
  /** Bumped by invalidate(): a lookup that started before it does not store its result. */
  let generation = 0;

  const resolve = async (pathname: string, acceptEncoding?: string): Promise<StaticResolution> => {
    const request = requestOf(pathname, acceptEncoding);
    const cached = cache.get(request.key);
    if (cached !== undefined) return cached;
    if (!cache.accepts(request.key)) return resolveFresh(request);
    let pending = inFlight.get(request.key);
    if (pending === undefined) {
      const key = request.key;
      pending = resolveFresh(request);
      inFlight.set(key, pending);
      // Settled either way, the next lookup asks the cache or the disk again.
      const forget = () => inFlight.delete(key);
      pending.then(forget, forget);
    }
    return pending;
  };

  const resolveFresh = async (request: ParsedRequest): Promise<StaticResolution> => {
    const started = generation;
    const { segments, trailingSlash, hidden } = request.path;
    // Dotfiles answer as if absent (404), like send's default `ignore`: no hint that `.env` exists.
    const value = hidden ? NONE : await resolveUncached(segments, trailingSlash, request.accept);
    if (started === generation) cache.set(request.key, value);
    return value;
  };

  const bodies = options.memoryCache === false ? undefined : new BodyCache(options.memoryCache === true ? {} : options.memoryCache);
  const staticRoot: StaticRoot = {
    root: realRoot,
    resolve,
    peek,
    async lookup(pathname, acceptEncoding) {
      const result = await resolve(pathname, acceptEncoding);
      return result.kind === 'file' ? result.file : null;
    },
    cacheStats: () => ({ entries: cache.size, keyChars: cache.keyChars, maxEntries: cache.maxEntries, maxKeyLength: cache.maxKeyLength }),
    invalidate(path) {
      // A lookup under way may have read the disk before the change: its result must not be reused.
      inFlight.clear();
      generation++;
      if (path === undefined) {
        cache.clear();
        bodies?.clear();
        return;
      }
      bodies?.delete(path);
      cache.deleteWhere((value) => value.kind === 'file' && value.file.path === path);
    },
  };
  if (bodies) bodyCaches.set(staticRoot, bodies);
  return staticRoot;
}

/** Headers of a file whose size or mtime changed since the lookup (the body sent is the new one). */
function refreshHeaders(headers: Record<string, string>, stats: Stats): void {
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

function plainResponse(res: ServerResponse | Http2ServerResponse, status: number, body: string, extra: Record<string, string> = {}) {
  res.statusCode = status;
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.setHeader('content-length', String(Buffer.byteLength(body)));
  for (const [name, value] of Object.entries(extra)) res.setHeader(name, value);
  res.end(body);
}

/** What a request finds in the root; see {@link lookupRequest}. */
type RequestLookup = StaticResolution | 'skip' | 'bad-path';

/**
 * The lookup step both ways of serving share: what a request finds in the root. `skip` for a
 * method other than GET/HEAD (the caller passes it on), `bad-path` for a path the root refuses
 * (the caller answers 400). A fresh cached answer comes back as is, not as a promise: the
 * server's common request then costs no microtask.
 */
function lookupRequest(staticRoot: StaticRoot, method: string, path: string, acceptEncoding: string | string[] | undefined): RequestLookup | Promise<RequestLookup> {
  if (method !== 'GET' && method !== 'HEAD') return 'skip';
  const accept = Array.isArray(acceptEncoding) ? acceptEncoding.join(',') : acceptEncoding;
  const cached = staticRoot.peek?.(path, accept);
  if (cached !== undefined) return cached;
  let pending: Promise<StaticResolution>;
  try {
    pending = staticRoot.resolve(path, accept);
  } catch (error) {
    // A hand-made root may throw rather than reject.
    pending = Promise.reject(error);
  }
  return pending.catch((error: unknown) => {
    if (isPushManifestError(error) && error.code === 'BAD_PATH') return 'bad-path' as const;
    throw error;
  });
}

/**
 * Answer `req` from the root (GET/HEAD, 304, Range, precompressed variants) on node:http, node:https
 * or the node:http2 compatibility API. Resolves false when there is no file (caller calls next()).
 * Headers already set on `res` (a Link header from the push middleware) are kept.
 */
export async function serveStatic(
  staticRoot: StaticRoot,
  req: IncomingMessage | Http2ServerRequest,
  res: ServerResponse | Http2ServerResponse,
): Promise<boolean> {
  const method = req.method ?? 'GET';
  const url = req.url ?? '/';
  const found = lookupRequest(staticRoot, method, url, req.headers['accept-encoding']);
  const result = found instanceof Promise ? await found : found;
  if (result === 'bad-path') {
    plainResponse(res, 400, 'Bad Request\n');
    return true;
  }
  if (result === 'skip' || result.kind === 'none') return false;
  if (result.kind === 'redirect') {
    const location = redirectLocation(result.location, url);
    plainResponse(res, 301, `Redirecting to ${location}\n`, { location });
    return true;
  }
  const bodies = bodyCaches.get(staticRoot);
  const plain = req.headers.range === undefined && req.headers['if-none-match'] === undefined && req.headers['if-modified-since'] === undefined;
  if (bodies !== undefined && plain) {
    const cached = bodies.get(result.file.path);
    // Same rule as on HTTP/2: only the very file the lookup described comes from memory.
    if (cached !== undefined && cached.size === result.file.size && cached.mtimeMs === result.file.mtimeMs) {
      res.statusCode = 200;
      setFileHeaders(res, result.file.headers);
      res.setHeader('accept-ranges', 'bytes');
      if (method === 'HEAD') res.end();
      else res.end(cached.body);
      return true;
    }
    bodies.load(result.file.path, result.file.size);
  }
  // Open first and describe the descriptor we will actually read: a cached lookup may be up to
  // cacheMs old, and a content-length from before an edit would truncate or hang the response.
  let handle: FileHandle;
  try {
    handle = await open(result.file.path, 'r');
  } catch {
    staticRoot.invalidate(result.file.path);
    return false;
  }
  let file = result.file;
  try {
    file = currentFile(staticRoot, file, await handle.stat());
  } catch (error) {
    await handle.close();
    throw error;
  }
  const plan = planResponse(file, method, req.headers);
  res.statusCode = plan.status;
  setFileHeaders(res, plan.headers);
  if (plan.status === 304 || plan.status === 416 || method === 'HEAD') {
    await handle.close();
    res.end();
    return true;
  }
  await new Promise<void>((done) => {
    // The stream owns the handle from here (autoClose) and closes it on end or error.
    const body = createReadStream('', { fd: handle, ...(plan.range ?? {}) });
    // pipeline destroys both ends on error (client went away), so a failed response never hangs
    // or leaks the descriptor.
    pipeline(body, res as NodeJS.WritableStream, () => done());
  });
  return true;
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
  const found = lookupRequest(staticRoot, method, url, requestHeaders['accept-encoding']);
  const result = found instanceof Promise ? await found : found;
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
  const onError = (error: NodeJS.ErrnoException) => {
    // The file vanished between lookup and open: answer 404 if we still can.
    if (!stream.destroyed && !stream.headersSent) {
      respondPlain(stream, error.code === 'ENOENT' ? 404 : 500, error.code === 'ENOENT' ? 'Not Found\n' : 'Internal Server Error\n', extraHeaders);
    } else {
      stream.destroy();
    }
  };
  if (method === 'HEAD' || requestHeaders.range !== undefined) {
    await sendFromDisk(staticRoot, stream, file, method, requestHeaders, extraHeaders, onError);
    return;
  }
  const conditional = requestHeaders['if-none-match'] !== undefined || requestHeaders['if-modified-since'] !== undefined;
  sendFile(staticRoot, stream, file, method, requestHeaders, extraHeaders, conditional, onError);
}

const NO_HEADERS: IncomingHttpHeaders = Object.freeze({});
const NO_EXTRA: OutgoingHttpHeaders = Object.freeze({});

/**
 * Answer a pushed stream with `file`, a result of `staticRoot.lookup`: from memory when the body
 * cache holds that very file, else read from disk, and with validators (ETag,
 * Last-Modified, length) that describe the bytes sent even if the file changed since the lookup.
 * Synchronous, so a push costs no promise. `onError` is called when the file cannot be sent (it
 * vanished, say); the caller resets the pushed stream: a pushed 404 would be stored by the client
 * as the answer for that URL. May throw if the stream is already gone (the caller catches).
 */
export function respondPushedFile(staticRoot: StaticRoot, stream: ServerHttp2Stream, file: StaticFile, onError: (error: NodeJS.ErrnoException) => void): void {
  sendFile(staticRoot, stream, file, 'GET', NO_HEADERS, NO_EXTRA, false, onError);
}

/** Whether `value` (a lookup result) carries what {@link respondPushedFile} needs. */
export function isStaticFile(value: { path: string; etag: string; headers: Record<string, string> }): value is StaticFile {
  const file = value as Partial<StaticFile>;
  return typeof file.size === 'number' && typeof file.mtimeMs === 'number';
}

/** Whether `value` is a {@link StaticRoot} (one made by createStaticRoot, or a hand-made one). */
export function isStaticRoot(value: unknown): value is StaticRoot {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as StaticRoot).lookup === 'function' &&
    typeof (value as StaticRoot).invalidate === 'function' &&
    typeof (value as StaticRoot).root === 'string'
  );
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
  onError: (error: NodeJS.ErrnoException) => void,
): void {
  const bodies = bodyCaches.get(staticRoot);
  if (bodies !== undefined && !conditional) {
    const cached = bodies.get(file.path);
    // The cached body is only used for the file the lookup described (same size and mtime, so
    // its ETag and length are right); otherwise the descriptor path below re-describes the file.
    if (cached !== undefined && cached.size === file.size && cached.mtimeMs === file.mtimeMs) {
      stream.respond(extraHeaders === NO_EXTRA ? okHeadersOf(file) : withAddedHeaders(okHeadersOf(file), extraHeaders));
      stream.end(cached.body);
      return;
    }
    bodies.load(file.path, file.size);
  }
  // Not respondWithFile: see sendFromDisk.
  sendFromDisk(staticRoot, stream, file, method, requestHeaders, extraHeaders, onError).catch(onError);
}

const okHeaders = new WeakMap<StaticFile, OutgoingHttpHeaders>();

/** A 200's headers for `file`, built once per lookup result (`respond` copies them). */
function okHeadersOf(file: StaticFile): OutgoingHttpHeaders {
  let headers = okHeaders.get(file);
  if (headers === undefined) {
    headers = { ...file.headers, 'accept-ranges': 'bytes', ':status': 200 };
    okHeaders.set(file, headers);
  }
  return headers;
}

/** `file` as it is on disk now (`stats` from the open descriptor); drops a stale cache entry. */
function currentFile(staticRoot: StaticRoot, file: StaticFile, stats: Stats): StaticFile {
  if (stats.size === file.size && stats.mtimeMs === file.mtimeMs) return file;
  staticRoot.invalidate(file.path);
  const headers = { ...file.headers };
  refreshHeaders(headers, stats);
  return { ...file, size: stats.size, mtimeMs: stats.mtimeMs, etag: headers.etag ?? file.etag, headers };
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
  let handle: FileHandle;
  try {
    handle = await open(cached.path, 'r');
  } catch (error) {
    staticRoot.invalidate(cached.path);
    onError(error as NodeJS.ErrnoException);
    return;
  }
  let owned = false; // once the read stream has the handle, it closes it
  try {
    const stats = await handle.stat();
    const file = currentFile(staticRoot, cached, stats);
    const plan = planResponse(file, method, requestHeaders, stats.size);
    if (stream.destroyed) return;
    const headers: OutgoingHttpHeaders = { ...withAddedHeaders(plan.headers, extraHeaders), ':status': plan.status };
    if (plan.status !== 200 && plan.status !== 206) {
      stream.respond(headers, { endStream: true });
      return;
    }
    const range = plan.range ?? { start: 0, end: stats.size - 1 };
    if (method === 'HEAD' || range.end < range.start) {
      // HEAD: the GET's headers, content-length included, and no DATA frames. Or an empty file.
      stream.respond(headers, { endStream: true });
      return;
    }
    stream.respond(headers);
    const body = createReadStream('', { fd: handle, start: range.start, end: range.end });
    owned = true;
    // pipeline destroys the read stream (closing the descriptor) when the client resets the
    // stream, and ends the HTTP/2 stream after the last byte.
    pipeline(body, stream, () => undefined);
  } finally {
    if (!owned) await handle.close().catch(() => undefined);
  }
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
 * Set a file's headers on a node:http / compat response, keeping what a middleware set before:
 * its `Vary` is merged, its `Cache-Control` kept (`private` when it set a digest cookie).
 */
function setFileHeaders(res: ServerResponse | Http2ServerResponse, headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) {
    if (name === 'cache-control' && res.hasHeader(name)) continue;
    const existing = name === 'vary' ? res.getHeader(name) : undefined;
    res.setHeader(name, existing === undefined ? value : `${String(existing)}, ${value}`);
  }
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
