/**
 * The Polymer / prpl-server format (`push-manifest.json` from polymer-cli): page keys are paths
 * or route patterns, resource URLs may be relative to the manifest's folder.
 *
 * prpl-server anchored every key as `^key$` without escaping it, so `/a.html` also matched
 * `/aXhtml`. We read a key as a literal path unless it is explicitly a regular expression
 * (starts with `^` or ends with `$`); relative keys and URLs resolve against `base`, the URL path
 * of the manifest's folder (`/` by default). We write absolute paths, which prpl-server reads
 * the same way, and `^.*$` for {@link ANY_PAGE}.
 */
import { ANY_PAGE, isPatternKey, type Manifest, type RouteKey } from '../model.js';
import type { ReadContext } from './context.js';
import { literalPageRoute } from './multi.js';
import { readPages, writePages, type PageKeyRules } from './pages.js';

/** The pattern {@link ANY_PAGE} is written as, and read back from. */
export const ANY_PAGE_PATTERN = '^.*$';

/** Check a regular-expression page key: it must compile, and carry no control characters. */
function patternReason(key: string): string | undefined {
  // A pattern never reaches a header, but a control character in it is a corrupted file.
  if (/[\u0000-\u001f\u007f]/.test(key)) return 'contains a control character';
  try {
    new RegExp(key);
  } catch (error) {
    return `is not a valid regular expression (${(error as Error).message})`;
  }
  return undefined;
}

function polymerKeys(base: string): PageKeyRules {
  return {
    keyToRoute(key) {
      if (key === ANY_PAGE || key === ANY_PAGE_PATTERN) return { ok: true, route: ANY_PAGE };
      if (isPatternKey(key)) {
        const reason = patternReason(key);
        return reason ? { ok: false, reason } : { ok: true, route: key };
      }
      return literalPageRoute(key, base);
    },
    routeToKey(route) {
      return route === ANY_PAGE ? ANY_PAGE_PATTERN : route;
    },
    base,
  };
}

/** Read a polymer-format object; `base` is the normalised URL path of the manifest's folder. */
export function readPolymer(json: Record<string, unknown>, context: ReadContext, base: string): Manifest {
  return readPages(json, context, polymerKeys(base));
}

/** Write the polymer format: literal routes stay literal (absolute) keys, patterns stay patterns. */
export function writePolymer(manifest: Manifest, routes: readonly RouteKey[]): string {
  return writePages(manifest, routes, polymerKeys('/'));
}
