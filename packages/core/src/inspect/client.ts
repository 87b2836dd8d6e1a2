/**
 * The client behind `inspect`: a navigation as a browser sends it, over HTTP/2 with push enabled
 * (or HTTP/1.1), recording 103s, PUSH_PROMISEs and the response in wire order with timings.
 * Nothing is kept of bodies but their size, pushes are capped, and the whole run has a deadline,
 * so a hostile or broken server cannot make it grow or hang.
 */
import http, { type IncomingHttpHeaders as H1Headers } from 'node:http';
import https from 'node:https';
import http2, { type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders } from 'node:http2';
import tls, { type TLSSocket } from 'node:tls';
import { isIP } from 'node:net';
import { PushManifestError } from '../errors.js';
import { networkError, timeoutError } from './errors.js';
import { cookieHeader, headerValue, readCookies, readLinks } from './links.js';
import { summarise } from './summary.js';
import type { InspectReport, RepeatDiff, SeenEarlyHint, SeenNavigation, SeenPush } from './types.js';

/** Options of {@link inspectUrl}. */
export interface InspectOptions {
  /** The page to request, `http:` or `https:`. */
  url: string;
  /** Accept any TLS certificate (a local server's self-signed one). */
  insecure?: boolean;
  /**
   * `auto` (default): HTTP/2 when TLS ALPN offers `h2`, else HTTP/1.1; `http:` URLs use HTTP/1.1
   * as browsers do. `h1`: HTTP/1.1 always. `h2c`: cleartext HTTP/2 with prior knowledge.
   */
  protocol?: 'auto' | 'h1' | 'h2c';
  /** Also navigate again on the same connection, and on a new one carrying the cookies set. */
  repeat?: boolean;
  /** Deadline for the whole inspection, in ms. Default 10 000. */
  timeout?: number;
  /** Pushes accepted per navigation; later ones are cancelled. Default 256. */
  maxPushes?: number;
}

/** The headers of a top-level navigation, as Chromium sends them (less the client hints). */
export const NAVIGATION_HEADERS: Readonly<Record<string, string>> = {
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'accept-encoding': 'gzip, deflate, br',
  'sec-fetch-dest': 'document',
  'sec-fetch-mode': 'navigate',
  'sec-fetch-site': 'none',
  'sec-fetch-user': '?1',
  'upgrade-insecure-requests': '1',
  'user-agent': 'push-manifest-inspect',
};

/** One open connection that navigations run on, one at a time. */
interface Connection {
  readonly protocol: 'h2' | 'http/1.1';
  navigate(request: Record<string, string>, label: SeenNavigation['label']): Promise<Navigated>;
  close(): void;
}

/** A navigation, and the raw `set-cookie` fields a browser would store (the report keeps only digests). */
interface Navigated {
  nav: SeenNavigation;
  setCookie: string | string[] | undefined;
}

/** Everything a run opened, so the deadline can tear it all down. */
type Closer = () => void;

const round = (ms: number) => Math.round(ms * 10) / 10;

/** Bytes of a header block written as HTTP/1.1 text: status line, `name: value\r\n` per field, blank line. */
function headerBytes(status: number, fields: Iterable<[string, string]>): number {
  let bytes = `HTTP/1.1 ${status} \r\n`.length + 2;
  for (const [name, value] of fields) bytes += Buffer.byteLength(`${name}: ${value}\r\n`);
  return bytes;
}

function* h2Fields(headers: IncomingHttpHeaders): Iterable<[string, string]> {
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(':') || value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [String(value)]) yield [name, one];
  }
}

function* rawFields(raw: readonly string[]): Iterable<[string, string]> {
  for (let i = 0; i + 1 < raw.length; i += 2) yield [raw[i] as string, raw[i + 1] as string];
}

/** Build a navigation record from what was collected. */
function finish(
  label: SeenNavigation['label'],
  protocol: SeenNavigation['protocol'],
  origin: URL,
  request: Record<string, string>,
  earlyHints: SeenEarlyHint[],
  pushes: SeenPush[],
  response: { status: number; at: number; headers: IncomingHttpHeaders | H1Headers; headerBytes: number },
  finishedAt: number,
  bodyBytes: number,
): Navigated {
  const linkHeader = headerValue(response.headers.link);
  const links = readLinks(linkHeader, origin);
  const cookies = readCookies(response.headers['set-cookie']);
  const one = (name: string) => {
    const value = headerValue(response.headers[name]);
    return value === '' ? undefined : value;
  };
  const nav: SeenNavigation = {
    label,
    protocol,
    request,
    earlyHints,
    pushes,
    status: response.status,
    responseAt: response.at,
    finishedAt,
    bodyBytes,
    linkHeader,
    links,
    vary: one('vary'),
    cacheControl: one('cache-control'),
    contentType: one('content-type'),
    cookies,
    summary: summarise({ earlyHints, pushes, links, linkHeader, responseHeaderBytes: response.headerBytes }),
  };
  return { nav, setCookie: response.headers['set-cookie'] };
}

/** Connect with TLS offering h2 and http/1.1; resolves with the socket and what ALPN chose. */
function tlsConnect(url: URL, insecure: boolean, alpn: string[], track: (close: Closer) => void): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(url.port || 443),
      ...(isIP(url.hostname.replace(/^\[|\]$/g, '')) ? {} : { servername: url.hostname }),
      ALPNProtocols: alpn,
      rejectUnauthorized: !insecure,
    });
    track(() => socket.destroy());
    socket.once('secureConnect', () => {
      socket.removeListener('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

async function openH2(url: URL, insecure: boolean, track: (close: Closer) => void, socket?: TLSSocket): Promise<ClientHttp2Session> {
  const tlsSocket = url.protocol === 'https:' ? (socket ?? (await tlsConnect(url, insecure, ['h2'], track))) : undefined;
  return new Promise((resolve, reject) => {
    const session = http2.connect(url.origin, {
      settings: { enablePush: true },
      ...(tlsSocket ? { createConnection: () => tlsSocket } : {}),
    });
    track(() => session.destroy());
    session.once('connect', () => {
      session.removeListener('error', reject);
      // Later errors end the navigation in flight (its stream errors) or the deadline; never the process.
      session.on('error', () => {});
      resolve(session);
    });
    session.once('error', reject);
  });
}

function h2Connection(session: ClientHttp2Session, origin: URL, maxPushes: number): Connection {
  // Paths received on this connection: a push of one again is cancelled, as a browser's push cache would.
  const received = new Set<string>();
  return {
    protocol: 'h2',
    close: () => session.close(),
    navigate: (request, label) =>
      new Promise((resolve, reject) => {
        const t0 = performance.now();
        const now = () => round(performance.now() - t0);
        const earlyHints: SeenEarlyHint[] = [];
        const pushes: SeenPush[] = [];
        const pending: Promise<void>[] = [];
        let responded = false;
        const onPush = (pushed: ClientHttp2Stream, promise: IncomingHttpHeaders) => {
          const path = String(promise[':path'] ?? '');
          const record: SeenPush = { path, promisedAt: now(), beforeResponse: !responded, status: undefined, contentType: undefined, bytes: 0, finishedAt: undefined, cancelled: undefined };
          pushes.push(record);
          pushed.on('error', () => {});
          if (received.has(path) || pushes.length > maxPushes) {
            record.cancelled = 'client';
            pushed.close(http2.constants.NGHTTP2_CANCEL);
            return;
          }
          pending.push(
            new Promise<void>((done) => {
              pushed.on('push', (headers: IncomingHttpHeaders) => {
                record.status = Number(headers[':status']);
                record.contentType = headerValue(headers['content-type']) || undefined;
              });
              pushed.on('data', (chunk: Buffer) => {
                record.bytes += chunk.length;
              });
              pushed.on('close', () => {
                record.finishedAt = now();
                if (pushed.rstCode !== undefined && pushed.rstCode !== http2.constants.NGHTTP2_NO_ERROR) record.cancelled = 'server';
                else received.add(path);
                done();
              });
            }),
          );
        };
        session.on('stream', onPush);
        const req = session.request({ ':method': 'GET', ':path': origin.pathname + origin.search, ...request }, { endStream: true });
        req.on('headers', (headers: IncomingHttpHeaders) => {
          if (Number(headers[':status']) === 103) earlyHints.push({ at: now(), links: readLinks(headerValue(headers.link), origin) });
        });
        let response: { status: number; at: number; headers: IncomingHttpHeaders; headerBytes: number } | undefined;
        req.on('response', (headers: IncomingHttpHeaders) => {
          responded = true;
          const status = Number(headers[':status']);
          response = { status, at: now(), headers, headerBytes: headerBytes(status, h2Fields(headers)) };
        });
        let bodyBytes = 0;
        req.on('data', (chunk: Buffer) => {
          bodyBytes += chunk.length;
        });
        req.on('error', (error) => {
          session.off('stream', onPush);
          reject(error);
        });
        req.on('close', () => {
          const finishedAt = now();
          void Promise.all(pending).then(() => {
            session.off('stream', onPush);
            if (response === undefined) {
              reject(new PushManifestError('NETWORK', `${origin.host} reset the request without a response (HTTP/2 error code ${req.rstCode ?? '?'})`));
              return;
            }
            resolve(finish(label, 'h2', origin, request, earlyHints, pushes, response, finishedAt, bodyBytes));
          });
        });
      }),
  };
}

function h1Connection(url: URL, insecure: boolean, track: (close: Closer) => void): Connection {
  // One socket, kept alive: the "same connection" repeat really is the same connection.
  const agent =
    url.protocol === 'https:'
      ? new https.Agent({ keepAlive: true, maxSockets: 1, rejectUnauthorized: !insecure, ALPNProtocols: ['http/1.1'] })
      : new http.Agent({ keepAlive: true, maxSockets: 1 });
  track(() => agent.destroy());
  const get = url.protocol === 'https:' ? https.get : http.get;
  return {
    protocol: 'http/1.1',
    close: () => agent.destroy(),
    navigate: (request, label) =>
      new Promise((resolve, reject) => {
        const t0 = performance.now();
        const now = () => round(performance.now() - t0);
        const earlyHints: SeenEarlyHint[] = [];
        const req = get(url, { agent, headers: request }, (res) => {
          const status = res.statusCode ?? 0;
          const response = { status, at: now(), headers: res.headers, headerBytes: headerBytes(status, rawFields(res.rawHeaders)) };
          let bodyBytes = 0;
          res.on('data', (chunk: Buffer) => {
            bodyBytes += chunk.length;
          });
          res.on('end', () => resolve(finish(label, 'http/1.1', url, request, earlyHints, [], response, now(), bodyBytes)));
          res.on('error', reject);
        });
        req.on('information', (info: { statusCode: number; headers: H1Headers }) => {
          if (info.statusCode === 103) earlyHints.push({ at: now(), links: readLinks(headerValue(info.headers.link), url) });
        });
        req.on('error', reject);
      }),
  };
}

/** The URL to inspect, or BAD_OPTION. */
export function parseInspectUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new PushManifestError('BAD_OPTION', `not a URL: ${JSON.stringify(value)} (expected http:// or https://)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new PushManifestError('BAD_OPTION', `not an http(s) URL: ${value}`);
  }
  return url;
}

async function open(url: URL, options: InspectOptions, track: (close: Closer) => void): Promise<Connection> {
  const insecure = options.insecure === true;
  const maxPushes = options.maxPushes ?? 256;
  const protocol = options.protocol ?? 'auto';
  if (protocol === 'h1' || (protocol === 'auto' && url.protocol === 'http:')) return h1Connection(url, insecure, track);
  if (protocol === 'h2c' || url.protocol === 'http:') return h2Connection(await openH2(url, insecure, track), url, maxPushes);
  const socket = await tlsConnect(url, insecure, ['h2', 'http/1.1'], track);
  if (socket.alpnProtocol === 'h2') return h2Connection(await openH2(url, insecure, track, socket), url, maxPushes);
  // The server offers no h2: what a browser would do is HTTP/1.1 (on a fresh socket, via the agent).
  socket.destroy();
  return h1Connection(url, insecure, track);
}

function repeatDiff(first: SeenNavigation, again: SeenNavigation): RepeatDiff {
  const before = new Set(first.summary.pushed);
  const now = new Set(again.pushes.map((push) => push.path));
  return {
    label: again.label as RepeatDiff['label'],
    pushedAgain: [...before].filter((path) => now.has(path)),
    notPushedAgain: [...before].filter((path) => !now.has(path)),
    newlyPushed: [...now].filter((path) => !before.has(path)),
  };
}

async function run(url: URL, options: InspectOptions, track: (close: Closer) => void): Promise<InspectReport> {
  const first = await open(url, options, track);
  const runs: Navigated[] = [await first.navigate({ ...NAVIGATION_HEADERS }, 'first')];
  if (options.repeat) {
    runs.push(await first.navigate({ ...NAVIGATION_HEADERS }, 'same-connection'));
    const cookie = cookieHeader(runs.map((done) => done.setCookie));
    const second = await open(url, options, track);
    runs.push(await second.navigate({ ...NAVIGATION_HEADERS, ...(cookie ? { cookie } : {}) }, 'new-connection'));
    second.close();
  }
  first.close();
  const navigations = runs.map((done) => done.nav);
  const [head, ...rest] = navigations as [SeenNavigation, ...SeenNavigation[]];
  return { url: url.href, protocol: first.protocol, navigations, repeat: rest.map((nav) => repeatDiff(head, nav)) };
}

/**
 * Navigate to `options.url` as a browser would and record what the server sent: 103s, pushes,
 * the response's Link header and the headers that matter for hints, with a summary of each.
 * @throws PushManifestError `BAD_OPTION` for a URL that is not http(s), `NETWORK` when the server
 *   cannot be reached, its certificate is refused, or the deadline passes.
 */
export async function inspectUrl(options: InspectOptions): Promise<InspectReport> {
  const url = parseInspectUrl(options.url);
  const timeout = options.timeout ?? 10_000;
  if (!Number.isInteger(timeout) || timeout < 1) throw new PushManifestError('BAD_OPTION', `timeout must be a positive whole number of ms, got ${String(timeout)}`);
  const closers: Closer[] = [];
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError(url, timeout)), timeout);
  });
  try {
    return await Promise.race([run(url, options, (close) => closers.push(close)), deadline]);
  } catch (error) {
    if (error instanceof PushManifestError) throw error;
    throw networkError(error, url);
  } finally {
    clearTimeout(timer);
    for (const close of closers) close();
  }
}
