/**
 * `createPushServer`: the push handler and static serving composed into one HTTP/2 server, what
 * `push-manifest serve` runs. HTTP/2 streams go through the raw `stream` API (no compatibility
 * objects; small bodies from memory), HTTP/1.1 through the request listener.
 */
import http2, {
  type Http2SecureServer,
  type Http2Server,
  type Http2Session,
  type IncomingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { performance } from 'node:perf_hooks';
import { PushManifestError } from '../errors.js';
import { actOnStream, createPushHandler, type PushHandler, type PushHandlerOptions } from './handler.js';
import type { Interest } from './push-runtime.js';
import { answerStaticStream, createStaticRoot, respondPlain, serveStatic, type StaticRoot, type StaticRootOptions, type StreamFallbacks } from './static.js';

/** One line of the server's own request log (see {@link PushServerOptions.onRequest}). */
export interface RequestLogEntry {
  /** `request` when the request arrived, `end` when its response was fully sent (or abandoned). */
  event: 'request' | 'end';
  /** Order of arrival, shared by the `request` and `end` entries of one request. */
  seq: number;
  /** `performance.now()` at the event, in ms. */
  at: number;
  method: string;
  /** The raw request path. */
  path: string;
  protocol: 'h2' | 'http/1.1';
  /** Status sent (on `end`). */
  status?: number;
}

/**
 * Limits on slow and greedy clients. Node's own defaults let one connection open 2^32 - 1
 * concurrent streams and a client that never finishes its first request hold a socket forever.
 */
export interface ServerLimits {
  /** A connection that has not completed its first request's headers by then is closed. Default 10 s. */
  headersTimeoutMs?: number;
  /** A connection with no traffic for this long is closed. Default 60 s. */
  idleTimeoutMs?: number;
  /** TLS handshake deadline. Default 10 s. */
  handshakeTimeoutMs?: number;
  /** Concurrent streams a client may open on one HTTP/2 connection (SETTINGS). Default 100. */
  maxConcurrentStreams?: number;
  /** Largest header list a client may send, in bytes (SETTINGS_MAX_HEADER_LIST_SIZE). Default 64 KiB. */
  maxHeaderListSize?: number;
  /** Memory one HTTP/2 session may hold in nghttp2, MB; past it new streams are refused. Default 10. */
  maxSessionMemory?: number;
}

/** The defaults of {@link ServerLimits}. */
export const DEFAULT_SERVER_LIMITS: Readonly<Required<ServerLimits>> = Object.freeze({
  headersTimeoutMs: 10_000,
  idleTimeoutMs: 60_000,
  handshakeTimeoutMs: 10_000,
  maxConcurrentStreams: 100,
  maxHeaderListSize: 64 * 1024,
  maxSessionMemory: 10,
});

/** Options of {@link createPushServer}. */
export interface PushServerOptions extends Omit<PushHandlerOptions, 'root'> {
  /** The site folder, or a ready {@link StaticRoot}. */
  root: string | StaticRoot;
  /** Options for the static root when `root` is a folder. */
  static?: StaticRootOptions;
  /** TLS certificate and key (PEM). Required unless `h2c`. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Cleartext HTTP/2 (prior knowledge), for use behind a TLS-terminating proxy. No HTTP/1.1 then. */
  h2c?: boolean;
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** Port; 0 (default) picks a free one. */
  port?: number;
  /** How long `close()` lets in-flight requests run before destroying connections. Default 5000 ms. */
  closeTimeoutMs?: number;
  /** Limits on slow and greedy clients; see {@link DEFAULT_SERVER_LIMITS}. */
  limits?: ServerLimits;
  /** Called on each request's arrival and end: tests use it to see the order requests came in. */
  onRequest?: (entry: RequestLogEntry) => void;
  /**
   * For tests and demos: hold the response of a path this many ms after hints and pushes went out,
   * like a slow application behind the middleware (where Early Hints pay off). 0/undefined = none.
   */
  delayResponse?: (path: string) => number;
  /**
   * For tests and demos: hold a request this many ms before anything is sent (hints, pushes,
   * response), like network latency. On loopback a 103 otherwise follows the request within
   * microseconds, sooner than any real network delivers it.
   */
  delayRequest?: (path: string) => number;
}

/** A running server. */
export interface PushServer {
  /** `https://host:port` (or `http://` with h2c). */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  readonly handler: PushHandler;
  readonly staticRoot: StaticRoot;
  /** Stop accepting, let in-flight requests finish (GOAWAY on HTTP/2), destroy what is left after the timeout. */
  close(): Promise<void>;
}

/** The headers added to a response the push handler has nothing for. */
const NOTHING_ADDED: OutgoingHttpHeaders = Object.freeze({});

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Node (20.20 at least) leaves a destroyed session's idle timer armed, and the timer list holds
 * the session, its socket, streams and push diary until it fires, idleTimeoutMs later: a client
 * opening and dropping connections fast grew the heap by its connection rate times 60 s. The
 * timer can only be cleared before the session is destroyed (setTimeout is a no-op after), and a
 * session ends in one of two ways: destroy() (an error, a GOAWAY, close(), our own limits), or
 * the socket closing under it (Node's own 'close' listener then ends it without destroy()).
 */
function releaseTimerOnEnd(session: Http2Session): void {
  const destroy = session.destroy;
  session.destroy = function (this: Http2Session, ...args: Parameters<Http2Session['destroy']>) {
    if (!this.destroyed) this.setTimeout(0);
    return destroy.apply(this, args);
  };
  // Ahead of Node's listener, while the session is still open. (session.socket is a proxy that
  // forbids emit/write but passes listener methods on to the socket.)
  session.socket.prependOnceListener('close', () => {
    if (!session.destroyed) session.setTimeout(0);
  });
}

/** Start an HTTP/2 server (TLS with HTTP/1.1 fallback, or h2c) serving `root` with pushes, Link headers and 103s. */
export async function createPushServer(options: PushServerOptions): Promise<PushServer> {
  if (!options.h2c && !options.tls) {
    throw new PushManifestError('BAD_OPTION', 'createPushServer needs tls: { cert, key } or h2c: true');
  }
  const staticRoot = typeof options.root === 'string' ? createStaticRoot(options.root, options.static) : options.root;
  const { root: _root, static: _static, tls, h2c, host = '127.0.0.1', port = 0, closeTimeoutMs = 5000, onRequest, delayResponse, delayRequest, limits: givenLimits, ...handlerOptions } = options;
  const limits = { ...DEFAULT_SERVER_LIMITS, ...givenLimits };
  const handler = await createPushHandler({ ...handlerOptions, root: staticRoot });
  const log = options.log ?? (() => undefined);
  let seq = 0;

  const http2Options = {
    maxSessionMemory: limits.maxSessionMemory,
    settings: { maxConcurrentStreams: limits.maxConcurrentStreams, maxHeaderListSize: limits.maxHeaderListSize },
  };
  const server: Http2Server | Http2SecureServer = h2c
    ? http2.createServer(http2Options)
    : http2.createSecureServer({ ...http2Options, cert: tls!.cert, key: tls!.key, allowHTTP1: true, handshakeTimeout: limits.handshakeTimeoutMs });
  // Idle connections (HTTP/2 sessions and HTTP/1.1 sockets alike) are destroyed: Node does so
  // when no 'timeout' listener is registered.
  server.setTimeout(limits.idleTimeoutMs);

  const sessions = new Set<Http2Session>();
  const sockets = new Map<Socket, number>(); // HTTP/1.1 socket → requests in flight
  const answered = new WeakSet<Socket>(); // HTTP/1.1 sockets whose first request arrived
  let closing = false;

  const fallbacks: StreamFallbacks = {
    none: (stream, extra) => respondPlain(stream, 404, 'Not Found\n', extra),
    failed: (stream, url, error, extra) => {
      log('warn', `${url}: ${error instanceof Error ? error.message : String(error)}`);
      respondPlain(stream, 500, 'Internal Server Error\n', extra);
    },
  };
  const runtime = handler.runtime;
  const delays = delayRequest !== undefined || delayResponse !== undefined;

  const onStream = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, _flags: number, rawHeaders?: string[]) => {
    const id = ++seq;
    const method = headers[':method'];
    const path = String(headers[':path'] ?? '/');
    // A client that resets a stream mid-response makes it emit 'error'; unhandled, that kills the process.
    stream.on('error', () => undefined);
    if (onRequest) {
      const logged = String(method ?? 'GET');
      onRequest({ event: 'request', seq: id, at: performance.now(), method: logged, path, protocol: 'h2' });
      stream.once('close', () =>
        onRequest({ event: 'end', seq: id, at: performance.now(), method: logged, path, protocol: 'h2', status: stream.sentHeaders?.[':status'] as number | undefined }),
      );
    }
    let interest: Interest | undefined;
    try {
      interest = runtime.interest(method, path, headers, rawHeaders, true);
    } catch (error) {
      log('warn', `push handler: ${error instanceof Error ? error.message : String(error)}`);
    }
    // Most requests (plain assets) are nothing to the push handler: answered at once, and without
    // a promise when the lookup is cached and the body in memory.
    if (interest === undefined && !delays) {
      try {
        answerStaticStream(staticRoot, stream, headers, NOTHING_ADDED, fallbacks);
      } catch (error) {
        // Thrown here, it would be an uncaught exception: the end of the process.
        fallbacks.failed(stream, path, error, NOTHING_ADDED);
      }
      return;
    }
    const added = { headers: NOTHING_ADDED };
    respondStream(stream, headers, path, rawHeaders, interest, added).catch((error: unknown) => fallbacks.failed(stream, path, error, added.headers));
  };

  const respondStream = async (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, path: string, rawHeaders: string[] | undefined, interest: Interest | undefined, added: { headers: OutgoingHttpHeaders }) => {
    const latency = delayRequest?.(path) ?? 0;
    if (latency > 0) await delay(latency);
    if (stream.destroyed) return;
    // Hints and PUSH_PROMISEs first; the response starts once they are queued, so they precede it.
    const extra = interest === undefined ? NOTHING_ADDED : await actOnStream(runtime, stream, headers, rawHeaders, interest);
    added.headers = extra; // a 500 carries them too (the digest cookie of pushes already sent)
    const wait = delayResponse?.(path) ?? 0;
    if (wait > 0) await delay(wait);
    if (stream.destroyed) return;
    answerStaticStream(staticRoot, stream, headers, extra, fallbacks);
  };

  const onRequestHttp1 = (req: IncomingMessage, res: ServerResponse) => {
    // HTTP/2 requests are served by onStream; Node's compatibility layer is unhooked below.
    const id = ++seq;
    const socket = req.socket;
    answered.add(socket);
    const inFlight = sockets.get(socket);
    if (inFlight !== undefined) sockets.set(socket, inFlight + 1);
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    onRequest?.({ event: 'request', seq: id, at: performance.now(), method, path, protocol: 'http/1.1' });
    res.once('close', () => {
      onRequest?.({ event: 'end', seq: id, at: performance.now(), method, path, protocol: 'http/1.1', status: res.statusCode });
      // The socket may have closed first (and left the map): never re-add a dead one.
      const inFlight = sockets.get(socket);
      if (inFlight === undefined) return;
      sockets.set(socket, inFlight - 1);
      if (closing && inFlight === 1) socket.destroy();
    });
    if (closing) res.setHeader('connection', 'close');
    const latency = delayRequest?.(path) ?? 0;
    if (latency > 0) setTimeout(() => respondHttp1(req, res, path), latency);
    else respondHttp1(req, res, path);
  };

  const respondHttp1 = (req: IncomingMessage, res: ServerResponse, path: string) => {
    if (res.destroyed) return;
    handler.middleware(req, res, (error?: unknown) => {
      if (error) {
        log('warn', `${path}: ${error instanceof Error ? error.message : String(error)}`);
        if (!res.headersSent) {
          res.statusCode = 500;
          res.end();
        }
        return;
      }
      const wait = delayResponse?.(path) ?? 0;
      (wait > 0 ? delay(wait) : Promise.resolve())
        .then(() => serveStatic(staticRoot, req, res))
        .then((served) => {
          if (!served && !res.headersSent) {
            res.statusCode = 404;
            res.setHeader('content-type', 'text/plain; charset=utf-8');
            res.end('Not Found\n');
          }
        })
        .catch((error: unknown) => {
          log('warn', `${path}: ${error instanceof Error ? error.message : String(error)}`);
          if (!res.headersSent) {
            res.statusCode = 500;
            res.end();
          } else {
            res.destroy();
          }
        });
    });
  };

  if (!h2c) {
    // With allowHTTP1, HTTP/1.1 requests arrive as 'request'. Adding a 'request' listener also makes
    // Node install its compatibility handler on 'stream' (one-off, on 'newListener'), which would
    // answer every HTTP/2 stream a second time: take that handler off again, ours serves streams.
    server.on('request', onRequestHttp1);
    server.removeAllListeners('stream');
    (server as Http2SecureServer).on('secureConnection', (socket: TLSSocket) => {
      socket.on('error', () => undefined);
      if (socket.alpnProtocol !== 'h2') {
        sockets.set(socket, 0);
        // The HTTP/1.1 side of a TLS port has no headersTimeout of its own (that lives in
        // http.Server): the same deadline for the first request, cleared when it arrives.
        const firstRequest = setTimeout(() => {
          if (!answered.has(socket)) socket.destroy();
        }, limits.headersTimeoutMs);
        firstRequest.unref();
        socket.once('close', () => clearTimeout(firstRequest));
      }
      socket.once('close', () => sockets.delete(socket));
    });
  }
  const connections = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
  });
  server.on('stream', onStream);
  server.on('session', (session: Http2Session) => {
    sessions.add(session);
    // A client trickling its first request's headers (or never sending them) holds a socket and
    // session memory: it gets headersTimeoutMs to complete them.
    const firstRequest = setTimeout(() => session.destroy(), limits.headersTimeoutMs);
    firstRequest.unref();
    session.once('stream', () => clearTimeout(firstRequest));
    session.once('close', () => clearTimeout(firstRequest));
    session.on('error', () => undefined);
    session.once('close', () => sessions.delete(session));
    releaseTimerOnEnd(session);
    if (closing) session.close();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => log('warn', `server: ${error.message}`));
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${h2c ? 'http' : 'https'}://${urlHost}:${address.port}`;

  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= (async () => {
      closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      // GOAWAY: the client opens no new streams, the open ones run to completion.
      for (const session of sessions) session.close();
      for (const [socket, inFlight] of sockets) if (inFlight === 0) socket.destroy();
      // Not unref'd, and raced rather than awaited alone: when Node never calls server.close()'s
      // callback (it can lose count of a socket that closed under open HTTP/2 streams), a caller
      // awaiting close() would otherwise be left with an empty event loop, and a top-level await
      // then ends the process with exit code 13 instead of 0.
      let timer: NodeJS.Timeout | undefined;
      const forced = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          for (const session of sessions) session.destroy();
          // Http2Session.destroy() only ends the socket, which waits for a peer that may never answer
          // (a client sitting on unread pushed streams): destroy the TCP connections themselves.
          for (const socket of connections) socket.destroy();
          resolve();
        }, closeTimeoutMs);
      });
      await Promise.race([stopped, forced]);
      clearTimeout(timer);
      await handler.close();
    })();
    return closed;
  };

  return { url, port: address.port, host: address.address, handler, staticRoot, close };
}
