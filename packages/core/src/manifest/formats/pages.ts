/**
 * The page-keyed formats, `multi` and `polymer`: `{ "<page>": { "<resource URL>": { … } } }`.
 * They differ only in how a page key maps to a route and whether relative URLs are allowed,
 * so one reader and one writer take a {@link PageKeyRules} per format.
 */
import type { Manifest, Resource, RouteKey } from '../model.js';
import { compareCodeUnits, readPageEntries, renderPageEntries } from './entries.js';
import { report, type ReadContext } from './context.js';

/** How one page-keyed format reads and writes its keys. */
export interface PageKeyRules {
  /** Route for an on-disk key, or a reason it is not a valid key of this format. */
  keyToRoute(key: string): { ok: true; route: RouteKey } | { ok: false; reason: string };
  /** On-disk key for a route (throws `BAD_OPTION` when the format cannot express it). */
  routeToKey(route: RouteKey): string;
  /** Base URL path relative resource URLs resolve against; `undefined` forbids relative URLs. */
  base: string | undefined;
}

/** Read a page-keyed manifest. Keys that map to the same route are a problem, not a silent overwrite. */
export function readPages(json: Record<string, unknown>, context: ReadContext, rules: PageKeyRules): Manifest {
  const manifest: Manifest = { pages: new Map() };
  const keyOfRoute = new Map<RouteKey, string>();
  for (const [key, value] of Object.entries(json)) {
    const mapped = rules.keyToRoute(key);
    const entries = readPageEntries(value, [key], context, rules.base);
    if (!mapped.ok) {
      report(context, [key], `page key ${mapped.reason}`);
      continue;
    }
    const earlier = keyOfRoute.get(mapped.route);
    if (earlier !== undefined) {
      report(context, [key], `same page as ${JSON.stringify(earlier)} (both are ${mapped.route})`);
      continue;
    }
    keyOfRoute.set(mapped.route, key);
    manifest.pages.set(mapped.route, entries.resources);
    if (entries.preconnect.length > 0) {
      manifest.preconnect ??= new Map();
      manifest.preconnect.set(mapped.route, entries.preconnect);
    }
  }
  return manifest;
}

/**
 * The text of a page-keyed file around its pages: `{`, the pages' `"key": {…}` pairs joined by
 * `,`, `}`. Shared by {@link writePages} and the streaming writer (write-stream.ts), so the two
 * give the same bytes.
 */
export const PAGES_LAYOUT = { head: '{\n', separator: ',\n', tail: '\n}\n', empty: '{}\n' } as const;

/** One page of a page-keyed file: its key and its resource entries (legacy-filtered already). */
export function renderPagePair(key: string, resources: readonly Resource[]): string {
  return `  ${JSON.stringify(key)}: ${renderPageEntries(resources, '  ')}`;
}

/** Write a page-keyed manifest, pages sorted by their on-disk key. Resource entries only: see `legacy.ts`. */
export function writePages(manifest: Manifest, routes: readonly RouteKey[], rules: PageKeyRules): string {
  const pages = routes
    .map((route) => ({ route, key: rules.routeToKey(route) }))
    .sort((a, b) => compareCodeUnits(a.key, b.key));
  if (pages.length === 0) return PAGES_LAYOUT.empty;
  const pairs = pages.map(({ route, key }) => renderPagePair(key, manifest.pages.get(route) ?? []));
  return `${PAGES_LAYOUT.head}${pairs.join(PAGES_LAYOUT.separator)}${PAGES_LAYOUT.tail}`;
}
