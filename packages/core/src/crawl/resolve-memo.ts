/**
 * Memoised {@link resolveRef} for the graph. Resolving a URL (WHATWG URL parse, percent-decoding,
 * path joins and containment checks) was a quarter of a crawl's time on a large site, and pages
 * repeat the same references: `/assets/site.css` on every page.
 *
 * A path-absolute reference (`/a`, not `//host`) resolves the same against any http(s) base URL of
 * one origin, so it is memoised by origin and reference: as many entries as there are distinct
 * URLs. Relative references are not: keyed by the page's folder they gave few hits for the memory
 * they held (50 MiB more peak RSS on the 5,000-page bench corpus). A shared file's refs are
 * resolved once anyway (graph.ts).
 */
import { resolveRef, type Resolution, type Site } from './resolve.js';
import type { Ref } from './types.js';

/** After a first `/`: what makes a protocol-relative URL (`//`, `/\`, or with a tab or newline the parser drops in between). */
const NOT_PATH_ABSOLUTE = /^\/[\t\n\r]*[/\\]/;

/** Per site (a crawl's `Site` object), resolutions by `<bare-is-module flag><origin>\0<reference>`. */
const memos = new WeakMap<Site, Map<string, Resolution>>();

/** {@link resolveRef}, remembered for path-absolute references. */
export function resolveRefMemo(ref: Ref, baseUrl: URL, site: Site): Resolution {
  const bareIsModule = ref.source === 'js-import';
  // Only on http(s) bases: other schemes have an opaque "null" origin that would mix them up.
  const pathAbsolute = ref.url.charCodeAt(0) === 0x2f && (baseUrl.protocol === 'https:' || baseUrl.protocol === 'http:') && !NOT_PATH_ABSOLUTE.test(ref.url);
  if (!pathAbsolute) return resolveRef(ref.url, baseUrl, site, { bareIsModule });
  let memo = memos.get(site);
  if (memo === undefined) {
    memo = new Map();
    memos.set(site, memo);
  }
  const key = `${bareIsModule ? 'm' : 'c'}${baseUrl.origin}\0${ref.url}`;
  let resolution = memo.get(key);
  if (resolution === undefined) {
    resolution = resolveRef(ref.url, baseUrl, site, { bareIsModule });
    memo.set(key, resolution);
  }
  return resolution;
}
