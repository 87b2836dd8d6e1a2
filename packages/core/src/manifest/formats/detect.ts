/**
 * Which format a parsed JSON manifest is in, from its shape alone.
 */
import { isPatternKey } from '../model.js';
import { isOriginLike } from '../url-safety.js';
import { isPlainObject } from './context.js';
import { isV1 } from './v1.js';

/**
 * The on-disk manifest formats: the three old shapes, which old tools read, and `v1`, our own,
 * which keeps every hint (see `legacy.ts` for why the old shapes cannot).
 */
export type ManifestFormat = 'single' | 'multi' | 'polymer' | 'v1';

/** The formats, in the order help texts list them. */
export const MANIFEST_FORMATS: readonly ManifestFormat[] = ['single', 'multi', 'polymer', 'v1'];

/** A resource entry holds values (`"type": "style"`); a page holds objects (its entries). */
function looksLikeResourceEntry(value: unknown): boolean {
  if (!isPlainObject(value)) return true;
  return Object.values(value).some((field) => !isPlainObject(field));
}

/**
 * Tell the format of a parsed manifest:
 * - `v1` when it carries the `"push-manifest"` marker key;
 * - `single` when the top-level values are resource entries (they hold `type`, `weight`, …);
 * - `polymer` when pages are keyed and any page key is a pattern (`^…`, `…$`) or an absolute
 *   path (`/index.html`, as prpl-server reads), or any resource URL is relative;
 * - `multi` otherwise (`index.html`, `about/index.html` keys with absolute resource URLs).
 *
 * Never throws: anything that is not a page-keyed object reads as `single`, whose reader then
 * reports what is wrong with it.
 */
export function detectFormat(json: unknown): ManifestFormat {
  if (!isPlainObject(json)) return 'single';
  if (isV1(json)) return 'v1';
  const values = Object.values(json);
  // An empty object is neither; a vote keeps one malformed entry from flipping the format.
  let entries = 0;
  let pages = 0;
  for (const value of values) {
    if (isPlainObject(value) && Object.keys(value).length === 0) continue;
    if (looksLikeResourceEntry(value)) entries++;
    else pages++;
  }
  if (entries >= pages && entries > 0) return 'single';
  if (pages === 0 && values.length === 0) return 'single';
  for (const [key, value] of Object.entries(json)) {
    if (isPatternKey(key) || key.startsWith('/')) return 'polymer';
    if (!isPlainObject(value)) continue;
    for (const url of Object.keys(value)) {
      if (!url.startsWith('/') && !isOriginLike(url)) return 'polymer';
    }
  }
  return 'multi';
}
