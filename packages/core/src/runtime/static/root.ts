/**
 * The static root: a folder served safely, and what a request path resolves to in it (the file,
 * a folder redirect, or nothing), through the bounded lookup cache. Security model (each check is
 * explained where it is made):
 * 1. the request path is decoded once and checked as a string (`safe-path.ts`): no NUL, no
 *    backslash, no `.`/`..` segment, no drive letter, dotfiles hidden except `/.well-known/`;
 * 2. the file is joined under the root from those segments, then its REAL path (symlinks
 *    resolved) must pass the policy the crawler follows too (`util/served-path.ts`: inside the real root, no dotfile);
 * 3. precompressed siblings go through the same real-path check (a `.br` symlink cannot leak).
 */
import { realpathSync, statSync, type Stats } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { PushManifestError } from '../../errors.js';
import { BodyCache, type BodyCacheOptions } from '../body-cache.js';
import { createCachePolicy, type CacheControlOptions } from '../cache-control.js';
import { weakEtag } from '../conditional.js';
import { contentTypeFor, isHtmlType } from '../content-type.js';
import { encodeSegments, parseRequestPath, type SafePath } from '../safe-path.js';
import { acceptedEncodings, encodingsKey, type AcceptedEncodings } from './encodings.js';
import { LookupCache } from './lookup-cache.js';
import { isServedRealPath } from '../../util/served-path.js';

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
  /** content-type, content-length, etag, last-modified, cache-control, accept-ranges, [content-encoding, vary]. */
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
  /**
   * Small files' bodies, used by the responders (http1.ts, http2.ts) for the very file a lookup
   * described. createStaticRoot's own; a hand-made root may bring one or none.
   */
  readonly bodies?: BodyCache | undefined;
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
    if (!isServedRealPath(realRoot, real)) return null;
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
      // Here once, not added per response: a 200 from memory is these headers as they are.
      'accept-ranges': 'bytes',
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
    bodies,
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
  return staticRoot;
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
