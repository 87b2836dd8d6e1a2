/**
 * For `measure <url>`: an HTTP/2 server on loopback that terminates TLS (with the certificate
 * `measure` trusts by its key) and forwards every request to the real server over HTTP/2. The
 * `hinted` variant passes 103 Early Hints and `Link` headers on; the `plain` one drops both, so a
 * server can be measured against itself without hints. Forwarding is what makes stripping a
 * 103 possible at all: a byte-level proxy cannot see inside TLS.
 */
import http2, { type ClientHttp2Session, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { PushManifestError } from '../errors.js';

/** Hop-by-hop and pseudo headers that are never copied as they are. */
const DROP = new Set([':scheme', ':authority', ':path', ':method', 'host', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection']);

/** A running forwarding proxy. */
export interface HintProxy {
  readonly port: number;
  /** The `Link` values (103 and response) seen per path, for telling hinted requests apart. */
  readonly linksByPath: Map<string, string[]>;
  close(): Promise<void>;
}

/** Connect to the upstream origin over HTTP/2; BAD_INPUT naming the URL when it cannot be reached. */
export async function connectUpstream(origin: string, timeoutMs: number): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    // The upstream is the user's own server, often with a development certificate.
    const session = http2.connect(origin, { rejectUnauthorized: false });
    const timer = setTimeout(() => {
      session.destroy();
      reject(new PushManifestError('BAD_INPUT', `${origin}: not reachable (no HTTP/2 connection within ${timeoutMs} ms)`));
    }, timeoutMs);
    session.once('connect', () => {
      clearTimeout(timer);
      resolve(session);
    });
    session.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new PushManifestError('BAD_INPUT', `${origin}: not reachable over HTTP/2 (${error.code ?? error.message})`, { cause: error }));
    });
  });
}

/** Start the proxy for one variant. */
export async function startHintProxy(options: { origin: string; strip: boolean; tls: { cert: string; key: string }; timeoutMs: number }): Promise<HintProxy> {
  let upstream = await connectUpstream(options.origin, options.timeoutMs);
  const linksByPath = new Map<string, string[]>();
  const authority = new URL(options.origin).host;
  const server = http2.createSecureServer({ cert: options.tls.cert, key: options.tls.key });
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  server.on('stream', (stream, headers) => {
    const forward: OutgoingHttpHeaders = { ':method': headers[':method'], ':path': headers[':path'], ':authority': authority, ':scheme': 'https' };
    for (const [name, value] of Object.entries(headers)) if (!DROP.has(name) && value !== undefined) forward[name] = value;
    if (upstream.closed || upstream.destroyed) {
      stream.respond({ ':status': 502 });
      stream.end();
      return;
    }
    const request = upstream.request(forward);
    const path = String(headers[':path'] ?? '/');
    const note = (value: string | string[] | undefined) => {
      if (value === undefined) return;
      const list = linksByPath.get(path) ?? [];
      list.push(...(Array.isArray(value) ? value : [value]));
      linksByPath.set(path, list);
    };
    request.on('headers', (info: IncomingHttpHeaders) => {
      if (Number(info[':status']) !== 103 || options.strip || stream.destroyed) return;
      note(info.link);
      if (info.link !== undefined) stream.additionalHeaders({ ':status': 103, link: info.link });
    });
    request.on('response', (response: IncomingHttpHeaders) => {
      const out: OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(response)) {
        if (name.startsWith(':') && name !== ':status') continue;
        if (DROP.has(name) || (options.strip && name === 'link')) continue;
        out[name] = value;
      }
      if (!options.strip) note(response.link);
      if (!stream.destroyed) stream.respond(out);
      request.pipe(stream);
    });
    request.on('error', () => {
      if (!stream.headersSent && !stream.destroyed) stream.respond({ ':status': 502 });
      stream.destroy();
    });
    stream.on('error', () => request.close());
    stream.on('close', () => request.close());
    stream.pipe(request);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  // A dropped upstream connection is made again for the next load.
  upstream.on('close', async function reconnect() {
    try {
      upstream = await connectUpstream(options.origin, options.timeoutMs);
      upstream.on('close', reconnect);
    } catch {
      // Reported by the next request's 502.
    }
  });
  return {
    port: (server.address() as AddressInfo).port,
    linksByPath,
    close: () =>
      new Promise<void>((resolve) => {
        upstream.removeAllListeners('close');
        upstream.destroy();
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      }),
  };
}
