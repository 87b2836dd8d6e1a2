/**
 * URL → file under the site root. URLs resolve the way a browser resolves them (WHATWG URL
 * against the page, the `<base href>` or the stylesheet); the result is mapped to a file by
 * stripping `?query`/`#hash`, percent-decoding once and checking containment of the joined path
 * below the root. The URL written to the manifest keeps its query and is the URL serialiser's
 * output, percent-encoded only where the WHATWG URL standard encodes (see {@link manifestSafe}).
 */
import { isAbsolute, join, relative, sep } from 'node:path';
import { climbsAboveRoot } from '../util/climbs-above-root.js';

/** Stands in for the site's own origin while resolving (`.invalid` can never be a real host); https, so protocol-relative URLs come out as https, as on any current site. */
export const SITE_ORIGIN = 'https://push-manifest.invalid';

/** The site being crawled. */
export interface Site {
  /** Absolute path of the root folder. */
  root: string;
  /** URL path the root is served under: `/` or `/blog/` (always with both slashes). */
  base: string;
  /** Origins that are this site (`https://example.com`): absolute URLs on them are its own files. */
  origins?: ReadonlySet<string>;
}

/** What a reference turned out to be. */
export type Resolution =
  /** Nothing to fetch from the site: `data:`, `blob:`, `javascript:`, fragment-only, a bare module specifier… */
  | { kind: 'skip' }
  /** Another origin: never pushed, kept as a preconnect candidate. */
  | { kind: 'cross-origin'; origin: string }
  /** A file of the site. `url` is what the manifest lists; `file` the absolute path to look for. */
  | { kind: 'local'; url: string; file: string }
  /** A reference that cannot be a file of the site. */
  | { kind: 'bad'; code: 'OUTSIDE_ROOT' | 'BAD_URL'; message: string };

/** Normalise a `base` option to `/…/`. */
export function normaliseBase(base: string | undefined): string {
  if (!base) return '/';
  const trimmed = base.trim().replace(/\\/g, '/');
  const withSlashes = `/${trimmed}/`.replace(/\/{2,}/g, '/');
  // Encode the way URLs are compared: /a b/ → /a%20b/.
  return new URL(withSlashes, SITE_ORIGIN).pathname;
}

/**
 * The URL a manifest lists for a resolved URL: its path and query as the WHATWG URL serialiser
 * writes them, which is what a browser requests. Nothing more is encoded (`/a,b.css?v=1;2` stays
 * as the page wrote it: `%2C` would be a different URL, and the preload would not be reused),
 * except a `%` that starts no escape (`?q=100%`): URL parsers keep it raw, the manifest refuses
 * it, and `%25` names the same file.
 */
export function manifestSafe(url: string): string {
  return url.includes('%') ? url.replace(/%(?![0-9A-Fa-f]{2})/g, '%25') : url;
}

/** Characters that would change a URL's structure if a file name contained them. */
const STRUCTURAL = /[%#?\\]/g;

/** The URL path of a file under the root: base + path, each segment percent-encoded as a browser would. */
export function fileUrlPath(site: Site, absFile: string): string {
  const rel = relative(site.root, absFile).split(sep);
  const encoded = rel.map((segment) => segment.replace(STRUCTURAL, (c) => encodeURIComponent(c))).join('/');
  return manifestSafe(new URL(site.base + encoded, SITE_ORIGIN).pathname);
}

/** The URL references in a file resolve against (before any `<base href>`). */
export function fileBaseUrl(site: Site, absFile: string): URL {
  return new URL(fileUrlPath(site, absFile), SITE_ORIGIN);
}

const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** Each root as `join` writes it, with a trailing separator. */
const rootPrefixes = new Map<string, string>();

/**
 * Whether `file` (made by `join(root, …)`, so normalised the same way) lies strictly below `root`.
 * A prefix test: `path.relative` resolves both paths against the working folder on every call,
 * and this runs for every relative reference of every page.
 */
function isBelow(root: string, file: string): boolean {
  if (!isAbsolute(root)) {
    // `join` drops a leading `./`, so a prefix test would not hold: ask `path.relative`.
    const rel = relative(root, file);
    return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
  }
  let prefix = rootPrefixes.get(root);
  if (prefix === undefined) {
    prefix = join(root, sep);
    rootPrefixes.set(root, prefix);
  }
  return file.length > prefix.length && file.startsWith(prefix);
}

/**
 * Whether a relative reference climbs above the top of the site (`../../etc/passwd` from
 * `/index.html`). A browser clamps that at `/`, but it is never what the author meant.
 */
function referenceClimbsAboveRoot(raw: string, baseUrl: URL): boolean {
  const path = raw.replace(/[?#].*$/s, '').replace(/\\/g, '/');
  if (path.startsWith('/')) return false;
  return climbsAboveRoot(path, baseUrl.pathname.split('/').length - 2); // folders above the file
}

/**
 * Resolve one reference found in a file. `baseUrl` is the file's URL (under {@link SITE_ORIGIN})
 * or its `<base href>`, which may be another origin.
 */
export function resolveRef(raw: string, baseUrl: URL, site: Site, options: { bareIsModule?: boolean } = {}): Resolution {
  const trimmed = raw.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return { kind: 'skip' };
  const scheme = SCHEME.exec(trimmed)?.[0].toLowerCase();
  if (scheme !== undefined && scheme !== 'http:' && scheme !== 'https:') return { kind: 'skip' };
  // A bare module specifier (`lodash`) means an import map or a bundler; nothing on disk to find.
  if (options.bareIsModule && scheme === undefined && !/^(?:\/|\.\/|\.\.\/)/.test(trimmed)) return { kind: 'skip' };

  let url: URL;
  try {
    url = new URL(trimmed, baseUrl);
  } catch {
    return { kind: 'bad', code: 'BAD_URL', message: `not a valid URL: ${trimmed}` };
  }
  if (url.origin !== SITE_ORIGIN) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return { kind: 'skip' };
    if (!site.origins?.has(url.origin)) return { kind: 'cross-origin', origin: url.origin };
    // The site's own origin written out in full: the same file as the bare path.
    url = new URL(url.pathname + url.search, SITE_ORIGIN);
  }
  if (baseUrl.origin === SITE_ORIGIN && scheme === undefined && referenceClimbsAboveRoot(trimmed, baseUrl)) {
    return { kind: 'bad', code: 'OUTSIDE_ROOT', message: `${trimmed} climbs above the site root` };
  }
  if (!url.pathname.startsWith(site.base)) {
    return { kind: 'bad', code: 'OUTSIDE_ROOT', message: `${trimmed} is outside the site's base ${site.base}` };
  }
  const segments = url.pathname.slice(site.base.length).split('/');
  const decoded: string[] = [];
  for (const segment of segments) {
    let part: string;
    try {
      part = decodeURIComponent(segment);
    } catch {
      return { kind: 'bad', code: 'BAD_URL', message: `bad percent-encoding in ${trimmed}` };
    }
    // An encoded slash or NUL would let one URL segment become several path segments.
    if (/[/\\\0]/.test(part) || part === '..' || part === '.') {
      return { kind: 'bad', code: 'OUTSIDE_ROOT', message: `${trimmed} encodes a path separator or dot segment` };
    }
    decoded.push(part);
  }
  if (decoded.length > 0 && decoded[decoded.length - 1] === '') decoded[decoded.length - 1] = 'index.html';
  const file = join(site.root, ...decoded);
  if (!isBelow(site.root, file)) {
    return { kind: 'bad', code: 'OUTSIDE_ROOT', message: `${trimmed} resolves outside the site root` };
  }
  return { kind: 'local', url: manifestSafe(url.pathname + url.search), file };
}
