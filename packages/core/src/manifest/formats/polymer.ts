/**
 * The Polymer / prpl-server format (`push-manifest.json` from polymer-cli): page keys are paths
 * or route patterns, resource URLs may be relative to the manifest's folder.
 *
 * prpl-server compiles every key that does not start with `^` as the regular expression
 * `^key$`, without escaping it: `/a.html` also matches `/aXhtml`, and `/c++/index.html` makes it
 * throw at start-up. So we write a literal route with every regular-expression character escaped
 * (`/c\+\+/index\.html`), and a folder's `index.html` as `/c\+\+/(?:index\.html)?`, which also
 * matches the folder URL `/c++/` that prpl-server sees when it serves that page (the site's own
 * `/index.html` stays `/index\.html`: prpl-server serves it as its entrypoint for `/` and looks the
 * key up under that name too, so an alias would send its links twice). Reading, a key with such
 * escapes is that literal route again; any other key is a literal path unless it is explicitly a
 * regular expression (starts with `^` or ends with an unescaped `$`). Relative keys and URLs
 * resolve against `base`, the URL path of the manifest's folder (`/` by default). `^.*$` is
 * {@link ANY_PAGE}.
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

/** Regular-expression syntax characters (ECMAScript `SyntaxCharacter`). */
const SYNTAX = /[\\^$.*+?()[\]{}|]/g;

/** The group a folder's index page ends with, so the key also matches the folder URL. */
const INDEX_ALIAS = '(?:index\\.html)?';

/** The prpl-server key of a literal route: escaped, and a folder's index page with its alias. */
export function literalPolymerKey(route: RouteKey): string {
  const escaped = route.replace(SYNTAX, '\\$&');
  if (route !== '/index.html' && route.endsWith('/index.html')) return `${escaped.slice(0, -'index\\.html'.length)}${INDEX_ALIAS}`;
  return escaped;
}

/**
 * The literal route an escaped key names (what {@link literalPolymerKey} wrote), or `undefined`
 * when the key is not one: an escaped key never starts with `^`, and every `\` in it escapes a
 * syntax character (a raw `\` is never in a path).
 */
function escapedLiteral(key: string): string | undefined {
  if (key.startsWith('^') || !key.includes('\\')) return undefined;
  const body = key.endsWith(`/${INDEX_ALIAS}`) ? `${key.slice(0, -INDEX_ALIAS.length)}index\\.html` : key;
  let literal = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] as string;
    if (ch === '\\') {
      const next = body[++i];
      if (next === undefined || !IS_SYNTAX.test(next)) return undefined;
      literal += next;
    } else if (IS_SYNTAX.test(ch)) {
      return undefined; // an unescaped syntax character: a hand-written pattern, not one of ours
    } else {
      literal += ch;
    }
  }
  return literal;
}

const IS_SYNTAX = /^[\\^$.*+?()[\]{}|]$/;

export function polymerKeys(base: string): PageKeyRules {
  return {
    keyToRoute(key) {
      if (key === ANY_PAGE || key === ANY_PAGE_PATTERN) return { ok: true, route: ANY_PAGE };
      const literal = escapedLiteral(key);
      if (literal !== undefined) return literalPageRoute(literal, base);
      if (isPatternKey(key)) {
        const reason = patternReason(key);
        return reason ? { ok: false, reason } : { ok: true, route: key };
      }
      return literalPageRoute(key, base);
    },
    routeToKey(route) {
      if (route === ANY_PAGE) return ANY_PAGE_PATTERN;
      return isPatternKey(route) ? route : literalPolymerKey(route);
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
