/**
 * The http2-push-manifest multi-page format: `{ "index.html": { "/css/app.css": { … } } }`.
 * Keys are page paths from the site root, read with or without a leading slash and written
 * without (`about/index.html`): the old tool keyed by bare file name, so `a/index.html` and
 * `b/index.html` collided. `*` is the page key that applies to any page.
 */
import { ANY_PAGE, isPatternKey, type Manifest, type RouteKey } from '../model.js';
import { PushManifestError } from '../../errors.js';
import { resolveManifestPath } from '../url-safety.js';
import type { ReadContext } from './context.js';
import { readPages, writePages, type PageKeyRules } from './pages.js';

/** Resolve a page key that names a path (shared with polymer): no query, no fragment, safe characters. */
export function literalPageRoute(key: string, base?: string): { ok: true; route: RouteKey } | { ok: false; reason: string } {
  const resolved = resolveManifestPath(key, base);
  if (!resolved.ok) return resolved;
  if (resolved.path.includes('?')) return { ok: false, reason: 'has a ?query: a page key is a path' };
  return { ok: true, route: resolved.path };
}

export const MULTI_KEYS: PageKeyRules = {
  keyToRoute(key) {
    if (key === ANY_PAGE) return { ok: true, route: ANY_PAGE };
    if (isPatternKey(key)) {
      return { ok: false, reason: 'is a regular expression (starts with ^ or ends with $), which only the polymer format has' };
    }
    // Both `about/index.html` and `/about/index.html` name the same page.
    return literalPageRoute(key.startsWith('/') ? key : `/${key}`);
  },
  routeToKey(route) {
    if (route === ANY_PAGE) return ANY_PAGE;
    if (isPatternKey(route)) {
      throw new PushManifestError('BAD_OPTION', `the multi format has no route patterns, and this manifest has ${JSON.stringify(route)}: write polymer instead`);
    }
    return route.slice(1);
  },
  base: undefined,
};

/** Read a multi-format object (already known to be a JSON object). */
export function readMulti(json: Record<string, unknown>, context: ReadContext): Manifest {
  return readPages(json, context, MULTI_KEYS);
}

/** Write the multi format: pages sorted by key, keys without a leading slash. */
export function writeMulti(manifest: Manifest, routes: readonly RouteKey[]): string {
  return writePages(manifest, routes, MULTI_KEYS);
}
