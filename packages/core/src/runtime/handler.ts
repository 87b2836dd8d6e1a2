/**
 * `createPushHandler`: the public face of the runtime. One handler serves a Connect/Express-style
 * middleware (node:http, node:https, node:http2 compatibility API) and a raw node:http2 stream
 * handler, with counters and an optional watched manifest file.
 */
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse, ServerHttp2Stream } from 'node:http2';
import type { Manifest } from '../manifest/model.js';
import { PushManifestError } from '../errors.js';
import { sendEarlyHintsOnResponse, sendEarlyHintsOnStream, type EarlyHintsMode } from './early-hints.js';
import { describeLoadError, loadManifestFile, manifestBase, toManifest, watchManifestFile } from './manifest-source.js';
import { respondWithPushFile, type PushPeek, type PushResponder, type PushSource } from './push.js';
import { PRIVATE_CACHE_CONTROL, PushRuntime, resolveSettings, toHeaderObject, type AddedHeaders, type PageOutcome, type DigestOptions, type Exchange, type Interest, type Logger } from './push-runtime.js';
import { RouteTable } from './route-table.js';
import { copyStats, type PushStats } from './stats.js';
import { isNotModified } from './conditional.js';
import { isHtmlType } from './content-type.js';
import { createStaticRoot, isStaticFile, isStaticRoot, respondPushedFile, type StaticResolution, type StaticRoot } from './static.js';

/** Options of {@link createPushHandler}. */
export interface PushHandlerOptions {
  /** A Manifest, or parsed JSON in any manifest format. One of `manifest` / `manifestPath` is required. */
  manifest?: Manifest | unknown;
  /** A manifest file to read (and with `watch: true`, watch and reload). */
  manifestPath?: string;
  /** Folder (or StaticRoot) the pushed files come from. Required for push and client push. */
  root?: string | StaticRoot | PushSource;
  /** HTTP/2 server push (default: on when `root` is given). */
  push?: boolean;
  /** `Link: rel=preload` response header (default on). */
  link?: boolean;
  /** 103 Early Hints: true = HTTP/2 only (default), 'always' = HTTP/1.1 too, false = off. */
  earlyHints?: EarlyHintsMode;
  /** Push what a `link` request header asks for (default off). */
  clientPush?: boolean;
  /** Pushes per response (default 10). */
  maxPushes?: number;
  /** Cap on the Link header value in bytes (default 4096); links are cut whole. */
  linkHeaderMax?: number;
  /** Add one `x-http2-push-promise: <path>` response header per push (default off). */
  debugHeaders?: boolean;
  /** Watch `manifestPath` and reload on change; a bad reload keeps the old table (default off). */
  watch?: boolean;
  /** URLs remembered per connection so none is pushed twice (default 256). */
  pushDiarySize?: number;
  /** The cache digest cookie: true (default), false, or its options. */
  digest?: boolean | DigestOptions;
  /** Where to log; default: warnings as process warnings, nothing else. */
  log?: Logger;
}

/** A Connect/Express-style `next`. */
export type NextFunction = (error?: unknown) => void;

/** What {@link createPushHandler} returns. */
export interface PushHandler {
  /** Connect/Express middleware for node:http, node:https and the node:http2 compatibility API. */
  middleware(req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse, next: NextFunction): void;
  /**
   * For the raw node:http2 `stream` event: sends the 103 and the PUSH_PROMISEs for this request,
   * and resolves with the headers to add to the response (`link`, `set-cookie`,
   * `x-http2-push-promise`). Respond after it resolves, so the promises precede the response.
   * Pass the `stream` event's `rawHeaders` so that only the last `link` request header counts.
   */
  handleStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, rawHeaders?: readonly string[]): Promise<OutgoingHttpHeaders>;
  /** A snapshot of the counters. */
  stats(): PushStats;
  /** Re-read `manifestPath` now; a failure keeps the table in use, logs and rejects. */
  reload(): Promise<void>;
  /** Stop watching. */
  close(): Promise<void>;
  /** The core, for adapters (Fastify). */
  readonly runtime: PushRuntime;
}

function isPushSource(value: unknown): value is PushSource {
  return typeof value === 'object' && value !== null && typeof (value as PushSource).lookup === 'function';
}


/**
 * Create a push handler. Loads the manifest once into a route table; throws PushManifestError
 * for a missing or invalid manifest or contradictory options.
 */
export async function createPushHandler(options: PushHandlerOptions): Promise<PushHandler> {
  const { manifestPath } = options;
  const root = options.root;
  const base = manifestPath === undefined ? '/' : manifestBase(manifestPath, typeof root === 'string' ? root : isStaticRoot(root) ? root.root : undefined);
  let manifest: Manifest;
  // Entries the reader repaired or dropped (an old "type": ""): logged once the logger is set up.
  const loadWarnings: string[] = [];
  if (options.manifest !== undefined) manifest = toManifest(options.manifest);
  else if (manifestPath !== undefined) manifest = await loadManifestFile(manifestPath, base, (line) => loadWarnings.push(line));
  else throw new PushManifestError('BAD_OPTION', 'createPushHandler needs `manifest` or `manifestPath`');
  if (options.watch === true && manifestPath === undefined) throw new PushManifestError('BAD_OPTION', '`watch` needs `manifestPath`');

  const tableOptions = options.linkHeaderMax === undefined ? {} : { linkHeaderMax: options.linkHeaderMax };
  const table = RouteTable.fromManifest(manifest, tableOptions);
  const source = root === undefined ? undefined : typeof root === 'string' ? createStaticRoot(root) : isPushSource(root) ? root : undefined;
  if (root !== undefined && source === undefined) throw new PushManifestError('BAD_OPTION', '`root` must be a folder path or a StaticRoot');
  const settings = resolveSettings({
    ...options,
    source,
    respondPush: source === undefined ? undefined : pushResponderFor(source),
    peekPush: source === undefined ? undefined : pushPeekFor(source),
    probe: source !== undefined && isStaticRoot(source) ? pageProbeFor(source) : undefined,
  });
  for (const line of loadWarnings) settings.log('warn', `manifest: ${line}`);
  const runtime = new PushRuntime(table, settings);

  const reload = async (): Promise<void> => {
    if (manifestPath === undefined) throw new PushManifestError('BAD_OPTION', 'reload needs `manifestPath`');
    try {
      const next = RouteTable.fromManifest(await loadManifestFile(manifestPath, base, (line) => settings.log('warn', `manifest: ${line}`)), tableOptions);
      runtime.setTable(next);
      runtime.stats.reloads++;
      settings.log('info', `manifest reloaded: ${manifestPath} (${next.size} routes)`);
    } catch (error) {
      runtime.stats.reloadFailures++;
      settings.log('warn', `manifest reload failed, keeping the previous one: ${describeLoadError(error)}`);
      throw error;
    }
  };
  const stopWatching =
    options.watch === true && manifestPath !== undefined
      ? watchManifestFile(manifestPath, () => {
          reload().catch(() => {
            // Logged and counted in reload(); the old table stays.
          });
        })
      : undefined;

  return {
    runtime,
    middleware(req, res, next) {
      prepareCompat(runtime, req, res, (added) => applyToResponse(res, added), () => next());
    },
    async handleStream(stream, headers, rawHeaders) {
      const raw = Array.isArray(rawHeaders) ? rawHeaders : undefined;
      let interest: Interest | undefined;
      try {
        interest = runtime.interest(firstValue(headers[':method']), firstValue(headers[':path']) ?? '/', headers, raw, true);
      } catch (error) {
        settings.log('warn', `push handler: ${describeLoadError(error)}`);
        return {};
      }
      return interest === undefined ? {} : actOnStream(runtime, stream, headers, raw, interest);
    },
    stats: () => copyStats(runtime.stats),
    reload,
    async close() {
      stopWatching?.();
    },
  };
}

/**
 * The second step of {@link PushHandler.handleStream}, for a request `runtime.interest` found
 * something in: the 103 and the PUSH_PROMISEs, then the headers to add to the response. Never
 * rejects: hints and pushes are an optimisation, the response goes out without them.
 */
export async function actOnStream(
  runtime: PushRuntime,
  stream: ServerHttp2Stream,
  headers: IncomingHttpHeaders,
  rawHeaders: readonly string[] | undefined,
  interest: Interest,
): Promise<OutgoingHttpHeaders> {
  try {
    const added = await runtime.act(
      {
        method: firstValue(headers[':method']),
        url: firstValue(headers[':path']) ?? '/',
        headers,
        rawHeaders,
        stream,
        secure: headers[':scheme'] === 'https',
        sendEarlyHints: (route) => sendEarlyHintsOnStream(stream, route),
      },
      interest,
    );
    return toHeaderObject(added);
  } catch (error) {
    runtime.settings.log('warn', `push handler: ${describeLoadError(error)}`);
    return {};
  }
}

/**
 * Pushes from a static root go through its own sending path: the in-memory body cache, and
 * validators taken from the descriptor sent, so a file edited after its lookup was cached is
 * pushed with its new ETag and Last-Modified. Other sources send with respondWithPushFile.
 */
function pushResponderFor(source: PushSource): PushResponder {
  if (!isStaticRoot(source)) return respondWithPushFile;
  return (stream, file, settled) => {
    if (isStaticFile(file)) respondPushedFile(source, stream, file, settled);
    else respondWithPushFile(stream, file, settled);
  };
}

/**
 * A static root's fresh cached lookups, so that pushing known files costs no promise and no disk
 * access; undefined for other sources (their lookup is always asked).
 */
function pushPeekFor(source: PushSource): PushPeek | undefined {
  if (!isStaticRoot(source) || source.peek === undefined) return undefined;
  const peek = source.peek.bind(source);
  return (pathname, acceptEncoding) => {
    const known = peek(pathname, acceptEncoding);
    // A folder redirect is nothing to push, like `lookup` says with null.
    return known === undefined ? undefined : known.kind === 'file' ? known.file : null;
  };
}

/**
 * What a static root will answer a page request with: a page (200), a 304 for a page, or
 * anything else (a redirect, nothing, a bad path, a file that is not HTML, a range).
 */
function pageProbeFor(root: StaticRoot): (url: string, headers: IncomingHttpHeaders) => Promise<PageOutcome> {
  return async (url, headers) => {
    const acceptEncoding = headers['accept-encoding'];
    const accept = Array.isArray(acceptEncoding) ? acceptEncoding.join(',') : acceptEncoding;
    let found: StaticResolution;
    try {
      found = root.peek?.(url, accept) ?? (await root.resolve(url, accept));
    } catch {
      return 'other'; // BAD_PATH: a 400
    }
    if (found.kind !== 'file' || !isHtmlType(found.file.contentType)) return 'other';
    if (isNotModified(headers['if-none-match'], headers['if-modified-since'], found.file.etag, found.file.mtimeMs)) return 'not-modified';
    return headers.range === undefined ? 'page' : 'other';
  };
}

function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Run the push runtime for a node:http / compat request, hand the headers it adds to `apply`, then
 * `proceed`, always exactly once: a push problem costs the push, never the response. Shared by the
 * middleware and the Fastify hook. A `proceed` that throws (a non-Express `next`) is logged, never
 * left as an unhandled rejection.
 */
export function prepareCompat(
  runtime: PushRuntime,
  req: IncomingMessage | Http2ServerRequest,
  res: ServerResponse | Http2ServerResponse,
  apply: (added: AddedHeaders) => void,
  proceed: () => void,
): void {
  const log = (what: string, error: unknown) => runtime.settings.log('warn', `${what}: ${describeLoadError(error)}`);
  let prepared: Promise<AddedHeaders | undefined>;
  try {
    prepared = runtime.prepare(compatExchange(req, res));
  } catch (error) {
    // compatExchange reads the request; a broken one costs the hints only.
    prepared = Promise.reject(error);
  }
  prepared
    .then(
      (added) => {
        if (added !== undefined) apply(added);
      },
      (error: unknown) => log('push handler', error),
    )
    .then(proceed)
    .catch((error: unknown) => log('next() threw', error));
}

/** The exchange of a node:http or node:http2 compat request (also used by the Fastify plugin). */
export function compatExchange(req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse): Exchange {
  const http2 = req.httpVersionMajor === 2 && 'stream' in req;
  const stream = http2 ? (req as Http2ServerRequest).stream : undefined;
  return {
    method: req.method,
    url: req.url ?? '/',
    headers: req.headers as IncomingHttpHeaders,
    rawHeaders: req.rawHeaders,
    stream,
    secure: http2 ? (req as Http2ServerRequest).headers[':scheme'] === 'https' : 'encrypted' in req.socket && req.socket.encrypted === true,
    // RFC 9110 §15.2: no 1xx to an HTTP/1.0 client.
    sendEarlyHints: (route) => (req.httpVersion === '1.0' ? false : sendEarlyHintsOnResponse(res, route, http2)),
  };
}

/** Add the headers to a node:http / compat response, keeping what is there. */
export function applyToResponse(res: ServerResponse | Http2ServerResponse, added: AddedHeaders): void {
  if (res.headersSent) return;
  if (added.link !== undefined) appendHeader(res, 'link', added.link);
  if (added.vary !== undefined) appendHeader(res, 'vary', added.vary);
  if (added.setCookie !== undefined) {
    appendHeader(res, 'set-cookie', added.setCookie);
    res.setHeader('cache-control', PRIVATE_CACHE_CONTROL);
  }
  if (added.promised !== undefined) res.setHeader('x-http2-push-promise', added.promised);
}

function appendHeader(res: ServerResponse | Http2ServerResponse, name: string, value: string): void {
  const existing = res.getHeader(name);
  if (existing === undefined) res.setHeader(name, value);
  else res.setHeader(name, [...(Array.isArray(existing) ? existing : [String(existing)]), value]);
}
