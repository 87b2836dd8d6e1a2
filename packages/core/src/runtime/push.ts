/**
 * HTTP/2 server push with Node's `http2`, done defensively: only where the client allows it, never
 * from a pushed stream, never the same URL twice on a connection (a bounded diary, as Apache's
 * H2PushDiarySize), at most `maxPushes` per response, and with an error handler on every pushed
 * stream, because an unhandled REFUSED_STREAM error would kill the process.
 */
import { constants, type Http2Session, type ServerHttp2Stream } from 'node:http2';
import { streamFile } from './static/stream-file.js';
import type { CacheDigest } from './cache-digest.js';
import type { PushStats } from './stats.js';

/** What a push needs of a file: `StaticRoot.lookup`'s result satisfies it. */
export interface PushFile {
  /** The file on disk to send (the `.br`/`.gz` variant when one was chosen). */
  path: string;
  etag: string;
  /** content-type, content-length, etag, last-modified, cache-control, [content-encoding, vary]. */
  headers: Record<string, string>;
}

/** Where pushed files come from: `StaticRoot` satisfies it. */
export interface PushSource {
  /** null = nothing servable; throws for a path that is malformed or leaves the root. */
  lookup(pathname: string, acceptEncoding?: string): Promise<PushFile | null>;
}

/**
 * Answers a pushed stream with a file its source looked up, then calls `settled` once: with
 * nothing when the response headers went out, with the error when the file could not be sent
 * (the caller resets the stream). May throw when the stream is already gone.
 */
export type PushResponder = (stream: ServerHttp2Stream, file: PushFile, settled: (error?: Error) => void) => void;

/**
 * The responder for a source that is not a static root: the lookup's headers, the length from the
 * descriptor sent, the bytes through a JS read stream. Not respondWithFile: on Node 20.20 a stream
 * answered that way and reset by the client mid-read crashes the process (see static/http2.ts).
 */
export const respondWithPushFile: PushResponder = (stream, file, settled) => {
  streamFile(
    file.path,
    (stats) => {
      if (stream.destroyed) return undefined;
      const headers: Record<string, string | number> = { ...file.headers, ':status': 200, 'content-length': stats.size };
      stream.respond(headers, { endStream: stats.size === 0 });
      return stats.size === 0 ? undefined : { start: 0, end: stats.size - 1 };
    },
    stream,
  ).then(
    (failed) => settled(failed ?? (stream.headersSent ? undefined : new Error('pushed stream closed before its response'))),
    settled,
  );
};

/** A lookup answered from memory: the file, null (nothing servable), undefined (not known: ask the source). */
export type PushPeek = (pathname: string, acceptEncoding: string | undefined) => PushFile | null | undefined;

/** Default number of pushes per response (nginx's http2_max_concurrent_pushes default). */
export const DEFAULT_MAX_PUSHES = 10;
/** Default number of URLs remembered per connection (Apache's H2PushDiarySize default). */
export const DEFAULT_PUSH_DIARY_SIZE = 256;

/**
 * The URLs promised on one connection, oldest forgotten first once full. Kept on the session
 * object so it dies with the connection.
 */
export class PushDiary {
  readonly #urls = new Set<string>();
  readonly #max: number;

  constructor(max = DEFAULT_PUSH_DIARY_SIZE) {
    this.#max = max;
  }

  /** Whether `url` was promised on this connection (and not forgotten since). */
  has(url: string): boolean {
    return this.#urls.has(url);
  }

  /** Remember a promised URL, forgetting the oldest when full. */
  add(url: string): void {
    if (this.#urls.has(url)) return;
    if (this.#urls.size >= this.#max) {
      // A Set iterates in insertion order: the first entry is the oldest.
      const oldest = this.#urls.values().next().value;
      if (oldest !== undefined) this.#urls.delete(oldest);
    }
    this.#urls.add(url);
  }

  /** Forget a URL (its push failed, so it may be tried again). */
  delete(url: string): void {
    this.#urls.delete(url);
  }

  /** URLs remembered. */
  get size(): number {
    return this.#urls.size;
  }
}

const diaries = new WeakMap<Http2Session, PushDiary>();

/** The diary of a connection, created on first use. */
export function diaryOf(session: Http2Session, max = DEFAULT_PUSH_DIARY_SIZE): PushDiary {
  let diary = diaries.get(session);
  if (diary === undefined) {
    diary = new PushDiary(max);
    diaries.set(session, diary);
  }
  return diary;
}

/**
 * Whether the server may push on this request's stream at all: the client allows it, the stream
 * is a client-initiated one (server-initiated push streams have even ids) and still open.
 */
export function canPush(stream: ServerHttp2Stream): boolean {
  return stream.pushAllowed && !stream.destroyed && !stream.closed && (stream.id ?? 0) % 2 === 1 && stream.session !== undefined && !stream.session.destroyed;
}

/** One push to attempt. */
export interface PushRequest {
  /** Path (and query) to promise; must be a same-origin path. */
  url: string;
  /** Skip it when the cache digest lists it (manifest pushes yes, client-requested no). */
  useDigest: boolean;
}

/** Everything `pushAll` needs. */
export interface PushContext {
  stream: ServerHttp2Stream;
  /** The request's `:authority` (or Host) and `:scheme`, copied into each PUSH_PROMISE. */
  authority: string;
  scheme: string;
  /** The request's `accept-encoding`, copied into each PUSH_PROMISE and used to pick a variant. */
  acceptEncoding: string | undefined;
  source: PushSource;
  /**
   * The file for a path when it is known without the disk (a fresh cached lookup): the file, null
   * for nothing servable, undefined when unknown (then `source.lookup` is asked).
   */
  peek: PushPeek | undefined;
  /** Sends a pushed file (the static layer's, for a static root). */
  respond: PushResponder;
  diary: PushDiary;
  /** The client's digest; pushes are added to it. */
  digest: CacheDigest | undefined;
  maxPushes: number;
  stats: PushStats;
  log: (level: 'info' | 'warn' | 'debug', message: string) => void;
}

/** A lookup the source refused (a malformed path, or one leaving the root). */
const REFUSED = 0;
type Found = PushFile | null | typeof REFUSED;

/**
 * Look the files up, then promise them in order. Resolves with the URLs whose pushed stream
 * opened and took its response headers (a tick after the PUSH_PROMISE frames were queued when the
 * body is in memory, so a response started afterwards still follows them; after the file's open
 * and fstat when it is read from disk); only those go in the client's digest. Never
 * rejects: every failure is counted and logged at debug level.
 */
export async function pushAll(ctx: PushContext, requests: readonly PushRequest[]): Promise<string[]> {
  const { stats, diary, peek } = ctx;
  let wanted: PushRequest[] | readonly PushRequest[] = requests;
  for (let index = 0; index < requests.length; index++) {
    if (!diary.has((requests[index] as PushRequest).url)) continue;
    // Rare (a second page on the connection): only then build a filtered list.
    wanted = requests.filter((request) => {
      if (diary.has(request.url)) {
        stats.skipped.diary++;
        return false;
      }
      return true;
    });
    break;
  }
  if (wanted.length === 0) return [];

  const files: Found[] = new Array<Found>(wanted.length);
  const lookups: Promise<void>[] = [];
  for (let index = 0; index < wanted.length; index++) {
    const url = (wanted[index] as PushRequest).url;
    const known = peek?.(url, ctx.acceptEncoding);
    if (known !== undefined) files[index] = known;
    else {
      lookups.push(
        ctx.source.lookup(url, ctx.acceptEncoding).then(
          (file) => {
            files[index] = file;
          },
          () => {
            files[index] = REFUSED;
          },
        ),
      );
    }
  }
  if (lookups.length > 0) await Promise.all(lookups);
  return promiseAll(ctx, wanted, files);
}

/** Promise the files found, in order, within the limits; resolves with those whose stream opened. */
async function promiseAll(ctx: PushContext, wanted: readonly PushRequest[], files: readonly Found[]): Promise<string[]> {
  const { stats, diary } = ctx;
  const submitted: { request: PushRequest; file: PushFile; opened: Promise<boolean> }[] = [];
  // Pushed streams count against the client's SETTINGS_MAX_CONCURRENT_STREAMS. Node's nghttp2
  // fails a push at the limit itself (with N, only N - 1 pushes go out), so stop short.
  const remoteLimit = ctx.stream.session?.remoteSettings.maxConcurrentStreams ?? Number.POSITIVE_INFINITY;
  const limit = Math.min(ctx.maxPushes, Math.max(0, remoteLimit - 1));
  for (let index = 0; index < wanted.length; index++) {
    const request = wanted[index] as PushRequest;
    const file = files[index];
    if (file === REFUSED || file === undefined) {
      stats.skipped.outOfRoot++;
      continue;
    }
    if (file === null) {
      stats.skipped.missing++;
      continue;
    }
    if (request.useDigest && ctx.digest?.has(request.url, file.etag) === true) {
      stats.skipped.digest++;
      continue;
    }
    if (diary.has(request.url)) {
      // Promised by a concurrent request on this connection while we looked files up.
      stats.skipped.diary++;
      continue;
    }
    if (submitted.length >= limit) {
      stats.skipped.cap++;
      continue;
    }
    if (!canPush(ctx.stream)) {
      stats.skipped.disabled++;
      continue;
    }
    const opened = pushOne(ctx, request.url, file);
    if (opened === undefined) continue;
    diary.add(request.url);
    submitted.push({ request, file, opened });
  }
  const pushed: string[] = [];
  for (const { request, file, opened } of submitted) {
    if (!(await opened)) continue;
    pushed.push(request.url);
    if (request.useDigest) ctx.digest?.add(request.url, file.etag);
  }
  return pushed;
}

/**
 * Promise and answer one file. Undefined when the PUSH_PROMISE could not be submitted; else
 * resolves, on nghttp2's callback, with whether the pushed stream opened and took its response.
 */
function pushOne(ctx: PushContext, url: string, file: PushFile): Promise<boolean> | undefined {
  const { stats, log } = ctx;
  const promise: Record<string, string> = {
    ':method': 'GET',
    ':path': url,
    ':scheme': ctx.scheme,
    ':authority': ctx.authority,
  };
  if (ctx.acceptEncoding !== undefined) promise['accept-encoding'] = ctx.acceptEncoding;
  let settle: (opened: boolean) => void = () => undefined;
  const opened = new Promise<boolean>((resolve) => {
    settle = resolve;
  });
  try {
    ctx.stream.pushStream(promise, (error, pushStream) => {
      if (error !== null) {
        // The parent stream closed, or the client's stream limit was hit after all.
        stats.failed++;
        ctx.diary.delete(url);
        log('debug', `push ${url} failed: ${error.message}`);
        settle(false);
        return;
      }
      answerPush(ctx, pushStream, url, file, settle);
    });
  } catch (error) {
    // pushStream throws synchronously for a destroyed stream, a nested push or push disabled.
    stats.failed++;
    log('debug', `push ${url} failed: ${(error as Error).message}`);
    return undefined;
  }
  stats.pushed++;
  return opened;
}

/**
 * Answer a pushed stream; `settle` gets true once its response headers went out, false when the
 * file could not be sent (the stream is then reset). Only then is the push real enough for the
 * digest: a reset push left the client without the file.
 */
function answerPush(ctx: PushContext, pushStream: ServerHttp2Stream, url: string, file: PushFile, settle: (sent: boolean) => void): void {
  const { stats, log } = ctx;
  // Without this listener a client's REFUSED_STREAM becomes an uncaught 'error' and kills the process.
  pushStream.on('error', (error: Error) => {
    log('debug', `pushed stream ${url}: ${error.message}`);
  });
  pushStream.on('close', () => {
    const code = pushStream.rstCode;
    if (code === constants.NGHTTP2_CANCEL || code === constants.NGHTTP2_REFUSED_STREAM) stats.cancelled++;
    else if (code !== undefined && code !== constants.NGHTTP2_NO_ERROR) stats.failed++;
  });
  let done = false;
  const settled = (error?: Error) => {
    if (done) return;
    done = true;
    if (error === undefined) {
      settle(true);
      return;
    }
    log('debug', `pushed file ${url}: ${error.message}`);
    if (!pushStream.destroyed) pushStream.close(constants.NGHTTP2_INTERNAL_ERROR);
    settle(false);
  };
  try {
    ctx.respond(pushStream, file, settled);
  } catch (error) {
    settled(error as Error);
  }
}
