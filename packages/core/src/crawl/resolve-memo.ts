/**
 * Memoised {@link resolveRef} for the graph. Resolving a URL (WHATWG URL parse, percent-decoding,
 * path joins and containment checks) was a quarter of a crawl's time on a large site, and pages
 * repeat the same references: `/assets/site.css` on every page, `../img/logo.png` on every page
 * of a folder.
 *
 * A path-relative or path-absolute reference resolves the same against any base URL in the same
 * folder: the result depends on the base only through the part up to its last `/` (`climbsAboveRoot`
 * counts that part's segments, `new URL` keeps nothing after it). So the memo is keyed by that
 * prefix of the base (its origin alone for a path-absolute `/reference`) and the reference. References that can depend on the rest of the base (a bare
 * `?query`) or whose first character a URL parser may drop or reinterpret (whitespace, controls, a
 * backslash) are not memoised.
 */
import { resolveRef, type Resolution, type Site } from './resolve.js';
import type { Ref } from './types.js';

/** A first character after which the whole reference is read relative to the base's folder, or not at all. */
const MEMO_SAFE_START = /^[A-Za-z0-9/._~%-]/;

/** After a first `/`: what makes a protocol-relative URL (`//`, `/\\`, or with a tab or newline the parser drops in between). */
const MEMO_NOT_PATH_ABSOLUTE = /^\/[\t\n\r]*[/\\]/;

/** Per site (a crawl's `Site` object), resolutions by `<bare-is-module flag><base folder>\0<reference>`. */
const memos = new WeakMap<Site, Map<string, Resolution>>();

/** {@link resolveRef} for a ref found in a file, remembered for every file in the same folder. */
export function resolveRefMemo(ref: Ref, baseUrl: URL, site: Site): Resolution {
  const bareIsModule = ref.source === 'js-import';
  const href = baseUrl.href;
  const folderEnd = href.lastIndexOf('/') + 1;
  // An opaque base (`mailto:x`, no slash at all) has no folder to key by.
  if (folderEnd === 0 || !MEMO_SAFE_START.test(ref.url)) return resolveRef(ref.url, baseUrl, site, { bareIsModule });
  let memo = memos.get(site);
  if (memo === undefined) {
    memo = new Map();
    memos.set(site, memo);
  }
  // A path-absolute reference (`/a`, not `//host` nor `/\\host`) depends on the base's origin alone.
  // (Only on http(s) bases: other schemes have an opaque "null" origin that would mix them up.)
  const pathAbsolute = ref.url.charCodeAt(0) === 0x2f && (baseUrl.protocol === 'https:' || baseUrl.protocol === 'http:') && !MEMO_NOT_PATH_ABSOLUTE.test(ref.url);
  const key = `${bareIsModule ? 'm' : 'c'}${pathAbsolute ? baseUrl.origin : href.slice(0, folderEnd)}\0${ref.url}`;
  let resolution = memo.get(key);
  if (resolution === undefined) {
    resolution = resolveRef(ref.url, baseUrl, site, { bareIsModule });
    memo.set(key, resolution);
  }
  return resolution;
}
