/**
 * Memoised {@link resolveRef} for the graph. A stylesheet (or module) shared by many pages is parsed
 * once, but its refs are walked again for every page that pulls it in, and resolving a URL (WHATWG
 * URL parse, percent-decoding, path joins and containment checks) was a quarter of a crawl's time on
 * a large site. A ref's resolution depends only on the ref, the URL it resolves against and the
 * site, so it is kept per ref object (weakly: it goes when the parse result goes).
 */
import { resolveRef, type Resolution, type Site } from './resolve.js';
import type { Ref } from './types.js';

interface Memo {
  base: string;
  site: Site;
  resolution: Resolution;
}

const memo = new WeakMap<Ref, Memo>();

/** {@link resolveRef} for a ref found in a file, remembered for the next page that walks the same file. */
export function resolveRefMemo(ref: Ref, baseUrl: URL, site: Site): Resolution {
  const base = baseUrl.href;
  const hit = memo.get(ref);
  if (hit !== undefined && hit.base === base && hit.site === site) return hit.resolution;
  const resolution = resolveRef(ref.url, baseUrl, site, { bareIsModule: ref.source === 'js-import' });
  memo.set(ref, { base, site, resolution });
  return resolution;
}
