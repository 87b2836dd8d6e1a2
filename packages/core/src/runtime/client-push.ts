/**
 * Client-requested push: a request may carry a `link` REQUEST header naming resources it wants
 * pushed with its response (the "preload-push" some servers offered), so one `fetch()` brings a
 * document and its dependencies. Off unless `clientPush` is set.
 *
 * Rules: only the last `link` header counts; it may list several links; each must have
 * `rel=preload`; one with `nopush` is not pushed; `as`, `crossorigin`, `media` are ignored (the
 * push is typed by the server's own content types); the URL may be a full same-origin URL, an
 * absolute path, or a path relative to the request URL; another origin, or a path that climbs
 * above the root, is refused. The file lookup (StaticRoot) refuses anything else unsafe.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { parseLinkHeader, relTokens } from './link-header.js';
import { climbsAboveRoot } from '../util/climbs-above-root.js';

/** At most this many links are considered per request (hostile headers cost bounded work). */
export const MAX_CLIENT_PUSH_LINKS = 32;

/** The outcome of reading a `link` request header. */
export interface ClientPushPlan {
  /** Same-origin paths (with query) to push, in header order, without duplicates. */
  urls: string[];
  /** Links naming another origin. */
  crossOrigin: number;
  /** Links whose path leaves the root or cannot be a path. */
  outOfRoot: number;
  /** Links without `rel=preload`, or marked `nopush`. */
  nopush: number;
}

/**
 * The value of the LAST `link` header of a request. Node joins repeated headers with `, ` in
 * `headers`, so the raw header list (`req.rawHeaders`, or the `stream` event's fourth argument)
 * is used when given; without it the joined value is all there is.
 */
export function lastLinkHeader(headers: IncomingHttpHeaders, rawHeaders?: readonly string[]): string | undefined {
  if (rawHeaders !== undefined) {
    for (let i = rawHeaders.length - 2; i >= 0; i -= 2) {
      const name = rawHeaders[i] as string;
      if (name.length === 4 && name.toLowerCase() === 'link') return rawHeaders[i + 1];
    }
    return undefined;
  }
  const value = headers.link;
  return Array.isArray(value) ? value[value.length - 1] : value;
}

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
// Backslashes (some servers treat them as slashes), controls and encoded slashes, NUL or
// backslashes: none belongs in a push path.
const UNSAFE_PATH = /[\\\u0000-\u001f\u007f]|%(?:2f|5c|00)/i;

/**
 * Turn a `link` request header into the paths to push.
 * `requestPath` is the request's path (and query); `origin` its scheme and authority.
 */
export function planClientPush(value: string, requestPath: string, origin: { scheme: string; authority: string }): ClientPushPlan {
  const plan: ClientPushPlan = { urls: [], crossOrigin: 0, outOfRoot: 0, nopush: 0 };
  let base: URL;
  try {
    base = new URL(requestPath, `${origin.scheme}://${origin.authority}`);
  } catch {
    return plan; // a request we cannot place at an origin pushes nothing
  }
  const baseDir = base.pathname.slice(0, base.pathname.lastIndexOf('/') + 1);
  for (const link of parseLinkHeader(value, MAX_CLIENT_PUSH_LINKS)) {
    if (!relTokens(link).includes('preload') || link.params.has('nopush')) {
      plan.nopush++;
      continue;
    }
    const ref = link.url.trim();
    if (ref === '' || UNSAFE_PATH.test(ref)) {
      plan.outOfRoot++;
      continue;
    }
    let target: URL;
    try {
      target = new URL(ref, base);
    } catch {
      plan.outOfRoot++;
      continue;
    }
    if (target.origin !== base.origin || (SCHEME.test(ref) && target.protocol !== base.protocol)) {
      plan.crossOrigin++;
      continue;
    }
    // The URL parser clamps `..` at the root; a reference that tries to climb out is refused
    // rather than quietly mapped to another file.
    const rawPath = rawPathOf(ref, baseDir);
    if (rawPath === undefined || climbsAboveRoot(rawPath)) {
      plan.outOfRoot++;
      continue;
    }
    // An empty segment (`//`) reads as a protocol-relative URL or a different file depending on
    // who parses it: refused.
    if (target.pathname.includes('//')) {
      plan.outOfRoot++;
      continue;
    }
    const url = target.pathname + target.search;
    if (!plan.urls.includes(url)) plan.urls.push(url);
  }
  return plan;
}

/** The path of a reference before dot-segment removal, relative references joined to `baseDir`. */
function rawPathOf(ref: string, baseDir: string): string | undefined {
  const end = ref.search(/[?#]/);
  const noQuery = end < 0 ? ref : ref.slice(0, end);
  if (SCHEME.test(noQuery) || noQuery.startsWith('//')) {
    const afterScheme = noQuery.replace(SCHEME, '');
    if (!afterScheme.startsWith('//')) return undefined;
    const slash = afterScheme.indexOf('/', 2);
    return slash < 0 ? '/' : afterScheme.slice(slash);
  }
  if (noQuery.startsWith('/')) return noQuery;
  return baseDir + noQuery;
}
