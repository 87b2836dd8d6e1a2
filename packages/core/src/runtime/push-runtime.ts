/**
 * The request-time core: for each request, decide what to hint and push, send the 103, promise
 * the pushes, and say which response headers to add. Transport-neutral; `middleware.ts` adapts it
 * to node:http / node:http2 compat, `handleStream` to raw HTTP/2 streams, `fastify.ts` to Fastify.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { ServerHttp2Stream } from 'node:http2';
import { PushManifestError } from '../errors.js';
import { CacheDigest, DEFAULT_DIGEST_COOKIE, DEFAULT_DIGEST_MAX_ENTRIES, digestSetCookie, maxDigestEntries, readCookie } from './cache-digest.js';
import { lastLinkHeader, planClientPush } from './client-push.js';
import { earlyHintsAllowed, type EarlyHintsMode } from './early-hints.js';
import { canPush, DEFAULT_MAX_PUSHES, DEFAULT_PUSH_DIARY_SIZE, diaryOf, pushAll, respondWithPushFile, type PushPeek, type PushRequest, type PushResponder, type PushSource } from './push.js';
import { isNavigation } from './request-kind.js';
import { RouteTable, type Route } from './route-table.js';
import { createStats, type PushStats } from './stats.js';

/** Log levels the runtime uses. */
export type LogLevel = 'info' | 'warn' | 'debug';
/** Where the runtime logs. */
export type Logger = (level: LogLevel, message: string) => void;

/** Options of the cache digest cookie. */
export interface DigestOptions {
  /** Cookie name (default `pm_digest`). */
  cookie?: string;
  /** Cookie lifetime in seconds (default 7 days). */
  maxAge?: number;
  /** Entries kept (default 256); a full digest starts afresh. */
  maxEntries?: number;
}

/** Resolved settings the core works with. */
export interface RuntimeSettings {
  push: boolean;
  link: boolean;
  earlyHints: EarlyHintsMode;
  clientPush: boolean;
  maxPushes: number;
  debugHeaders: boolean;
  pushDiarySize: number;
  digest: Required<DigestOptions> | undefined;
  source: PushSource | undefined;
  /** Pushed files known without the disk (the static root's fresh cached lookups). */
  peekPush: PushPeek | undefined;
  /** How pushed files are sent: through the static layer for a static root. */
  respondPush: PushResponder;
  /** What a page request will be answered with (the static root's lookup); undefined = unknown. */
  probe: PageProbe | undefined;
  log: Logger;
}

/** What one request is, independent of the server API it came through. */
export interface Exchange {
  method: string | undefined;
  /** Path and query as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  rawHeaders: readonly string[] | undefined;
  /** The HTTP/2 stream, when the request came over HTTP/2. */
  stream: ServerHttp2Stream | undefined;
  /** Whether the connection is TLS (for the cookie's `Secure`). */
  secure: boolean;
  /** Send the route's 103; returns whether one went out. */
  sendEarlyHints(route: Route): boolean;
}

/**
 * What the response to a request will be, as far as hints go: `page` (a 200 with a page),
 * `not-modified` (a 304 for a page: a Link header, no hint, no push), `other` (a redirect, a 404,
 * a file that is not a page: nothing added).
 */
export type PageOutcome = 'page' | 'not-modified' | 'other';

/** Says what the response to `url` will be; see {@link PageOutcome}. Never rejects. */
export type PageProbe = (url: string, headers: IncomingHttpHeaders) => Promise<PageOutcome>;

/**
 * The request headers a decorated page response depends on: the Link header is only added to
 * navigations, which `Sec-Fetch-Dest` or else `Accept` tell apart (request-kind.ts).
 */
export const PAGE_VARY = 'Sec-Fetch-Dest, Accept';

/** Headers to add to the response. `link` alone is the common case. */
export interface AddedHeaders {
  link?: string;
  /**
   * The digest cookie. A response carrying it is marked `Cache-Control: private` by the writers
   * ({@link toHeaderObject}, applyToResponse): a shared cache must never hand it to another client.
   */
  setCookie?: string;
  /** Always {@link PAGE_VARY} on a page response the runtime looked at, with or without Link. */
  vary?: string;
  /** Paths promised, for `x-http2-push-promise` (debugHeaders). */
  promised?: string[];
}

/** What {@link PushRuntime.interest} found in a request: its route, and the client push asked for. */
export interface Interest {
  route: Route | undefined;
  /** The last `link` request header, when client push is on and the request came over HTTP/2. */
  clientLink: string | undefined;
}

/** The answer for a page request that is not a navigation: the same URL without Link. */
const VARY_ONLY: AddedHeaders = Object.freeze({ vary: PAGE_VARY });

/** The per-request core, shared by every adapter. */
export class PushRuntime {
  #table: RouteTable;
  readonly settings: RuntimeSettings;
  readonly stats: PushStats = createStats();
  /** Precomputed answers for requests that push nothing, one per route. */
  #linkOnly = new WeakMap<Route, AddedHeaders>();
  /** The manifest pushes of each route as push requests, built on first use. */
  #pushRequests = new WeakMap<Route, readonly PushRequest[]>();

  constructor(table: RouteTable, settings: RuntimeSettings) {
    this.#table = table;
    this.settings = settings;
  }

  /** The route table in use. */
  get table(): RouteTable {
    return this.#table;
  }

  /** Swap in a new table; requests in flight finish with the old one. */
  setTable(table: RouteTable): void {
    this.#table = table;
    this.#linkOnly = new WeakMap();
    this.#pushRequests = new WeakMap();
  }

  /**
   * The first step of every request, synchronous: counts it and says what {@link act} would act
   * on, its route and the `link` request header asking for client push. Undefined when there is
   * nothing (not a GET/HEAD, no route, no client push asked for): a server then answers without a
   * promise, which is most requests (plain assets).
   */
  interest(method: string | undefined, url: string, headers: IncomingHttpHeaders, rawHeaders: readonly string[] | undefined, overHttp2: boolean): Interest | undefined {
    this.stats.requests++;
    if (method !== 'GET' && method !== 'HEAD') return undefined;
    const route = this.#table.match(url);
    const clientLink = this.settings.clientPush && method === 'GET' && overHttp2 ? lastLinkHeader(headers, rawHeaders) : undefined;
    if (route === undefined && clientLink === undefined) return undefined;
    return { route, clientLink };
  }

  /**
   * Decide and act for one request: {@link interest}, then {@link act}. Resolves with the headers
   * to add to the response, or undefined when the request is none of our business.
   */
  async prepare(ex: Exchange): Promise<AddedHeaders | undefined> {
    const interest = this.interest(ex.method, ex.url, ex.headers, ex.rawHeaders, ex.stream !== undefined);
    return interest === undefined ? undefined : this.act(ex, interest);
  }

  /**
   * Act for a request {@link interest} found something in: send the 103, promise pushes. Resolves
   * with the headers to add to the response, or undefined when there are none. Hints and pushes go
   * out only for a request that will be answered with a page: the probe (the static root's lookup)
   * says whether it is a page, a 304 or something else (301, 404, not HTML). PUSH_PROMISE frames
   * are queued before the promise settles, so the response the caller starts afterwards follows
   * them on the wire. Never rejects for a push problem.
   */
  async act(ex: Exchange, interest: Interest): Promise<AddedHeaders | undefined> {
    const { settings, stats } = this;
    const method = ex.method;
    const { route, clientLink } = interest;
    // What the response will be decides everything else: no hint or push for a 301, 404 or 304.
    const outcome = route === undefined ? 'other' : await this.#outcome(ex);
    const navigation = outcome !== 'other' && route !== undefined && isNavigation(ex.headers, route, ex.url);
    if (!navigation && clientLink === undefined) return outcome === 'other' ? undefined : VARY_ONLY;

    if (navigation) {
      stats.navigations++;
      if (outcome === 'page' && method === 'GET' && earlyHintsAllowed(settings.earlyHints, ex.stream === undefined ? 1 : 2) && ex.sendEarlyHints(route)) {
        stats.earlyHints++;
      }
    }

    const stream = ex.stream;
    const source = settings.source;
    const manifestPush = settings.push && navigation && outcome === 'page' && method === 'GET' && route.pushes.length > 0;
    if ((!manifestPush && clientLink === undefined) || stream === undefined || source === undefined) {
      return navigation ? this.#linkOnlyFor(route) : undefined;
    }
    if (!canPush(stream)) {
      if (manifestPush) stats.skipped.disabled += route.pushes.length;
      return navigation ? this.#linkOnlyFor(route) : undefined;
    }
    return this.#push(ex, stream, source, manifestPush ? route : undefined, navigation ? route : undefined, clientLink);
  }

  /**
   * What the response to a request matching a route will be. With a probe (a static root), its
   * answer; without one (an application behind the middleware), a page, unless the request is
   * conditional: it may well get a 304, and a client revalidating a page has its assets.
   */
  async #outcome(ex: Exchange): Promise<PageOutcome> {
    const probe = this.settings.probe;
    if (probe !== undefined) return probe(ex.url, ex.headers);
    const conditional = ex.headers['if-none-match'] !== undefined || ex.headers['if-modified-since'] !== undefined;
    return conditional ? 'not-modified' : 'page';
  }

  #linkOnlyFor(route: Route): AddedHeaders {
    let added = this.#linkOnly.get(route);
    if (added === undefined) {
      added = this.settings.link && route.linkHeader !== '' ? { link: route.linkHeader, vary: PAGE_VARY } : VARY_ONLY;
      this.#linkOnly.set(route, added);
    }
    if (added.link !== undefined) this.stats.linkHeaders++;
    return added;
  }

  /** The route's manifest pushes as push requests, built once per route. */
  #pushRequestsFor(route: Route): readonly PushRequest[] {
    let requests = this.#pushRequests.get(route);
    if (requests === undefined) {
      requests = route.pushes.map((candidate) => ({ url: candidate.url, useDigest: true }));
      this.#pushRequests.set(route, requests);
    }
    return requests;
  }

  /** Promise the pushes and work out the headers once nghttp2 has opened (or refused) each. */
  async #push(ex: Exchange, stream: ServerHttp2Stream, source: PushSource, pushRoute: Route | undefined, linkRoute: Route | undefined, clientLink: string | undefined): Promise<AddedHeaders> {
    const { settings, stats } = this;
    const authority = headerString(ex.headers[':authority']) ?? headerString(ex.headers.host) ?? '';
    const scheme = headerString(ex.headers[':scheme']) ?? (ex.secure ? 'https' : 'http');
    let requests: readonly PushRequest[] = pushRoute === undefined ? [] : this.#pushRequestsFor(pushRoute);
    if (clientLink !== undefined) {
      stats.clientPushRequests++;
      const plan = planClientPush(clientLink, ex.url, { scheme, authority });
      stats.skipped.crossOrigin += plan.crossOrigin;
      stats.skipped.outOfRoot += plan.outOfRoot;
      stats.skipped.nopush += plan.nopush;
      const all = [...requests];
      for (const url of plan.urls) if (!all.some((r) => r.url === url)) all.push({ url, useDigest: false });
      requests = all;
    }

    const digestSettings = settings.digest;
    const digest = digestSettings === undefined || pushRoute === undefined ? undefined : CacheDigest.decode(readCookie(ex.headers.cookie, digestSettings.cookie), digestSettings.maxEntries);
    const finish = (pushed: readonly string[]): AddedHeaders => {
      const added: AddedHeaders = linkRoute === undefined ? {} : { vary: PAGE_VARY };
      if (linkRoute !== undefined && settings.link && linkRoute.linkHeader !== '') {
        // Every link nopush, pushed or not: a push-capable proxy in front must not push again
        // what went out already, and browsers preload from the header either way.
        added.link = linkRoute.linkHeader;
        stats.linkHeaders++;
      }
      if (digest !== undefined && digestSettings !== undefined && pushed.length > 0) {
        added.setCookie = digestSetCookie(digestSettings.cookie, digest.encode(), { maxAge: digestSettings.maxAge, secure: ex.secure || scheme === 'https' });
      }
      if (settings.debugHeaders && pushed.length > 0) added.promised = [...pushed];
      return added;
    };
    const failed = (error: unknown): AddedHeaders => {
      // Nothing pushed counts: no digest entry, no nopush-free link.
      settings.log('warn', `push failed: ${(error as Error).message}`);
      return finish([]);
    };
    try {
      return finish(
        await pushAll(
        {
          stream,
          authority,
          scheme,
          acceptEncoding: headerString(ex.headers['accept-encoding']),
          source,
          peek: settings.peekPush,
          respond: settings.respondPush,
          diary: diaryOf(stream.session as NonNullable<typeof stream.session>, settings.pushDiarySize),
          digest,
          maxPushes: settings.maxPushes,
          stats,
            log: settings.log,
          },
          requests,
        ),
      );
    } catch (error) {
      return failed(error);
    }
  }
}

function headerString(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Cache-Control of a page response that sets the digest cookie: only the client may store it. */
export const PRIVATE_CACHE_CONTROL = 'private, no-cache';

/** The added headers as an object for `stream.respond()` / `reply.headers()`. */
export function toHeaderObject(added: AddedHeaders | undefined): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  if (added === undefined) return headers;
  if (added.link !== undefined) headers.link = added.link;
  if (added.vary !== undefined) headers.vary = added.vary;
  if (added.setCookie !== undefined) {
    headers['set-cookie'] = [added.setCookie];
    headers['cache-control'] = PRIVATE_CACHE_CONTROL;
  }
  if (added.promised !== undefined) headers['x-http2-push-promise'] = added.promised;
  return headers;
}

/** Resolve the user's options into settings; throws PushManifestError('BAD_OPTION'). */
export function resolveSettings(options: {
  push?: boolean | undefined;
  link?: boolean | undefined;
  earlyHints?: EarlyHintsMode | undefined;
  clientPush?: boolean | undefined;
  maxPushes?: number | undefined;
  debugHeaders?: boolean | undefined;
  pushDiarySize?: number | undefined;
  digest?: boolean | DigestOptions | undefined;
  log?: Logger | undefined;
  source: PushSource | undefined;
  respondPush?: PushResponder | undefined;
  peekPush?: PushPeek | undefined;
  probe?: PageProbe | undefined;
}): RuntimeSettings {
  const { source } = options;
  if (options.push === true && source === undefined) throw new PushManifestError('BAD_OPTION', 'push needs a root to read pushed files from');
  if (options.clientPush === true && source === undefined) throw new PushManifestError('BAD_OPTION', 'clientPush needs a root to read pushed files from');
  const maxPushes = options.maxPushes ?? DEFAULT_MAX_PUSHES;
  if (!Number.isInteger(maxPushes) || maxPushes < 0) throw new PushManifestError('BAD_OPTION', `maxPushes must be a non-negative integer, got ${String(maxPushes)}`);
  const pushDiarySize = options.pushDiarySize ?? DEFAULT_PUSH_DIARY_SIZE;
  if (!Number.isInteger(pushDiarySize) || pushDiarySize < 1) throw new PushManifestError('BAD_OPTION', `pushDiarySize must be a positive integer, got ${String(pushDiarySize)}`);
  const earlyHints = options.earlyHints ?? true;
  if (earlyHints !== true && earlyHints !== false && earlyHints !== 'always') throw new PushManifestError('BAD_OPTION', `earlyHints must be true, false or 'always', got ${String(earlyHints)}`);
  const digestOption = options.digest ?? true;
  const digest =
    digestOption === false
      ? undefined
      : {
          cookie: (digestOption === true ? undefined : digestOption.cookie) ?? DEFAULT_DIGEST_COOKIE,
          maxAge: (digestOption === true ? undefined : digestOption.maxAge) ?? 7 * 24 * 3600,
          maxEntries: (digestOption === true ? undefined : digestOption.maxEntries) ?? DEFAULT_DIGEST_MAX_ENTRIES,
        };
  if (digest !== undefined && !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(digest.cookie)) throw new PushManifestError('BAD_OPTION', `digest cookie name is not a token: ${digest.cookie}`);
  if (digest !== undefined) {
    const limit = maxDigestEntries(digest.cookie);
    if (!Number.isInteger(digest.maxEntries) || digest.maxEntries < 1 || digest.maxEntries > limit) {
      throw new PushManifestError('BAD_OPTION', `digest maxEntries must be an integer from 1 to ${limit} (the cookie must fit in 4 KB), got ${String(digest.maxEntries)}`);
    }
  }
  return {
    push: (options.push ?? source !== undefined) && source !== undefined,
    link: options.link ?? true,
    earlyHints,
    clientPush: options.clientPush ?? false,
    maxPushes,
    debugHeaders: options.debugHeaders ?? false,
    pushDiarySize,
    digest,
    source,
    respondPush: options.respondPush ?? respondWithPushFile,
    peekPush: options.peekPush,
    probe: options.probe,
    log: options.log ?? defaultLog,
  };
}

function defaultLog(level: LogLevel, message: string): void {
  if (level === 'warn') process.emitWarning(message, { code: 'PUSH_MANIFEST' });
}
