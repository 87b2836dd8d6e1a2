/**
 * Checks on the URLs and route keys a manifest carries. Every resource URL ends up inside a
 * `Link` response header (between `<` and `>`) and a PUSH_PROMISE `:path`, so a character that
 * can end a header (CR, LF, controls) or the link target (`<`, `>`) must never get through: we
 * reject such URLs when the manifest loads instead of escaping them on every request.
 *
 * Everything else a browser sends raw stays raw. A preload is reused only when its URL equals the
 * one the page requests, and a browser requests `/a,b.css?v=1;2` as written: `%2C`/`%3B` would
 * name a different URL and the file would download twice. `,` and `;` are safe inside `<…>`
 * (RFC 8288 allows any URI-reference there; see `runtime/link-header.ts`).
 */

/** Names for the characters we reject, so a message can say which one it found. */
const NAMED: Record<string, string> = {
  '\r': 'CR',
  '\n': 'LF',
  '\0': 'NUL',
  '\t': 'TAB',
  ' ': 'a space',
  '\x7f': 'DEL',
};

/**
 * Characters that must be percent-encoded in a manifest URL: angle brackets end a Link target,
 * a quote is never raw in a URL a browser sends (the WHATWG URL parser encodes it everywhere).
 */
const MUST_ENCODE = new Set(['<', '>', '"']);

/**
 * Characters that must be encoded in the path part only: the WHATWG URL parser turns `\\` into
 * `/` and percent-encodes `` ` ``, `{` and `}` in a path, so a raw one can never match the URL a
 * browser requests. In the query the parser keeps them raw, and so do we.
 */
const MUST_ENCODE_IN_PATH = new Set(['`', '\\', '{', '}']);

/**
 * The characters {@link unsafeUrlReason} lets through in the common case, as one regex: printable
 * ASCII except the encoded sets and `%`, plus well-formed `%XX` escapes. Checking a manifest of
 * 150,000 URLs character by character costs more than parsing its JSON; this fast path does not.
 */
const SAFE_URL = /^(?:[!#$&'()*+,\-./0-9:;=?@A-Z[\]^_a-z|~]|%[0-9A-Fa-f]{2})+$/;

/**
 * Why a URL-ish string cannot be used verbatim in a header, or `undefined` when it is safe.
 * Checks characters only (controls, whitespace, non-ASCII, delimiters, broken `%` escapes).
 */
export function unsafeUrlReason(value: string): string | undefined {
  if (SAFE_URL.test(value)) return undefined;
  if (value.length === 0) return 'is empty';
  const queryAt = value.indexOf('?');
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string;
    const code = ch.charCodeAt(0);
    if (code <= 0x20 || code === 0x7f) {
      const name = NAMED[ch] ?? `control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
      return `contains ${name} at position ${i} (percent-encode it)`;
    }
    if (code > 0x7e) {
      return `contains the non-ASCII character ${JSON.stringify(ch)} at position ${i} (percent-encode it as UTF-8)`;
    }
    if (MUST_ENCODE.has(ch) || ((queryAt === -1 || i < queryAt) && MUST_ENCODE_IN_PATH.has(ch))) {
      return `contains ${JSON.stringify(ch)} at position ${i} (percent-encode it as %${code.toString(16).toUpperCase()})`;
    }
    if (ch === '%' && !/^[0-9A-Fa-f]{2}$/.test(value.slice(i + 1, i + 3))) {
      return `contains a "%" at position ${i} that does not start a %XX escape`;
    }
  }
  return undefined;
}

/** Whether a manifest key names another origin (`https://cdn.example`, `//cdn.example`). */
export function isOriginLike(key: string): boolean {
  return /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i.test(key);
}

/**
 * Check a preconnect origin (`https://fonts.example`, optional port, nothing after it).
 * Returns the reason it is not acceptable, or `undefined`.
 */
export function badOriginReason(origin: string): string | undefined {
  const unsafe = unsafeUrlReason(origin);
  if (unsafe) return unsafe;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return 'is not a URL origin (expected https://host or http://host:port)';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    return `has scheme ${parsed.protocol} (expected https: or http:)`;
  }
  if (parsed.origin !== origin) {
    // Covers paths, queries, credentials, upper case hosts and default ports in one rule.
    return `is not an origin as browsers write it (expected ${parsed.origin})`;
  }
  return undefined;
}

/** A resolved path, or the reason resolution failed. */
export type PathResult = { ok: true; path: string } | { ok: false; reason: string };

/**
 * Resolve a page key or resource URL to a path from the site root.
 *
 * - Absolute paths (`/css/app.css?v=3`) are kept as they are; they must not contain dot segments
 *   (`/a/../b`), which different servers and clients normalise differently.
 * - Relative paths are accepted only when `base` is given (the Polymer format: relative to the
 *   manifest's folder) and are resolved against it; climbing above the site root is an error.
 * - Origins, `//host` and `scheme:` URLs are refused: a manifest pushes same-origin files only.
 * - Fragments (`#x`) are refused: they never reach a server, so they cannot be pushed.
 */
export function resolveManifestPath(value: string, base?: string): PathResult {
  const unsafe = unsafeUrlReason(value);
  if (unsafe) return { ok: false, reason: unsafe };
  if (isOriginLike(value)) {
    return { ok: false, reason: 'is not a same-origin path (only rel: "preconnect" entries may name another origin)' };
  }
  if (value.includes('#')) return { ok: false, reason: 'has a #fragment, which is never sent to a server' };
  const queryAt = value.indexOf('?');
  const pathPart = queryAt === -1 ? value : value.slice(0, queryAt);
  const query = queryAt === -1 ? '' : value.slice(queryAt);
  if (pathPart.startsWith('/')) {
    if (DOT_SEGMENT.test(pathPart)) {
      return { ok: false, reason: 'has a "." or ".." segment (write the path without it)' };
    }
    return { ok: true, path: value };
  }
  if (base === undefined) {
    return { ok: false, reason: 'must be an absolute path from the site root (start with "/")' };
  }
  const segments = base.split('/').filter((segment) => segment !== '');
  const parts = pathPart.split('/');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    const last = i === parts.length - 1;
    if (part === '.' || part.toLowerCase() === '%2e') {
      if (last) segments.push('');
      continue;
    }
    if (isDotSegment(part)) {
      if (segments.length === 0) return { ok: false, reason: `climbs above the site root from base ${base}` };
      segments.pop();
      if (last) segments.push('');
      continue;
    }
    segments.push(part);
  }
  return { ok: true, path: `/${segments.join('/')}${query}` };
}

/** A `.` or `..` path segment, also percent-encoded (`%2e`, `.%2E`). */
const DOT_SEGMENT = /(?:^|\/)(?:\.|%2e){1,2}(?=\/|$)/i;

function isDotSegment(segment: string): boolean {
  const lower = segment.toLowerCase();
  return lower === '.' || lower === '..' || lower === '%2e' || lower === '.%2e' || lower === '%2e.' || lower === '%2e%2e';
}

/**
 * The `base` option of a manifest reader (the URL path of the manifest's folder) as `/…/`, checked:
 * `undefined` when it is not a safe absolute path. Stricter than the crawler's `normaliseBase`, which
 * tidies any base a user gives (a reader must refuse one that could climb or inject).
 */
export function checkedBase(base: string): string | undefined {
  if (unsafeUrlReason(base) || !base.startsWith('/') || base.startsWith('//') || /[?#]/.test(base)) return undefined;
  if (DOT_SEGMENT.test(base)) return undefined;
  return base.endsWith('/') ? base : `${base}/`;
}
