/**
 * The manifest as export targets see it: for each route, the request paths a server must match
 * and the `Link` value, built by the runtime's own route table so that an exported config and
 * `push-manifest serve` write byte-for-byte the same header.
 */
import { ANY_PAGE, isPatternKey, type Manifest, type RouteKey } from '../manifest/model.js';
import { RouteTable, type PreparedLink } from '../runtime/route-table.js';

/** How a route key matches requests. */
export type RouteKind = 'literal' | 'pattern' | 'any';

/** One route of the manifest, ready for a target to write. */
export interface ExportRoute {
  /** The manifest key. */
  readonly key: RouteKey;
  readonly kind: RouteKind;
  /**
   * For a literal key, the request paths that name the page, percent-encoded as the manifest
   * has them: the page file first, then its clean URLs (`/about/index.html`, `/about/`, `/about`).
   * Empty for patterns and `*`.
   */
  readonly paths: readonly string[];
  /** The links that fit the target's cap, preconnects first, then resources in manifest order. */
  readonly links: readonly PreparedLink[];
  /** How many links the cap left out. */
  readonly dropped: number;
  /** The `Link` value to write: every preload `nopush`, or (with `push`) pushable ones without it. */
  readonly header: string;
  /** The `Link` value for a 103 (no `nopush`). */
  readonly earlyHints: string;
  /** Same-origin URLs the server may push, in manifest order (as the runtime: not cut by the header cap). */
  readonly pushes: readonly string[];
}

/** Options for {@link exportRoutes}. */
export interface ExportRoutesOptions {
  /** Cap on one Link value, in bytes. */
  linkHeaderMax: number;
  /** Whether pushable links are written without `nopush` (the server pushes them). */
  push: boolean;
  /** The target's name, for the trim warning. */
  target: string;
  /** URLs the target's syntax cannot carry (nginx and `$`): left out of the route with a warning giving `reason`. */
  refuse?: { test: (url: string) => boolean; reason: string };
}

/**
 * Every route of a manifest with its links, in manifest order, and a warning for each page
 * whose links were trimmed to the cap.
 */
export function exportRoutes(manifest: Manifest, options: ExportRoutesOptions): { routes: ExportRoute[]; warnings: string[] } {
  const routes: ExportRoute[] = [];
  const warnings: string[] = [];
  for (const [key, all] of manifest.pages) {
    const resources = options.refuse === undefined ? all : all.filter((resource) => !options.refuse!.test(resource.url));
    if (resources.length < all.length) {
      const left = all.filter((resource) => !resources.includes(resource)).map((resource) => resource.url);
      warnings.push(`${key}: ${options.target} cannot write ${left.join(', ')} (${options.refuse!.reason}); left out of its Link header`);
    }
    // A one-route table under `*` compiles the route exactly as the runtime does (links, caps,
    // preconnects of whatever shape the model gives them), without reaching into its internals.
    const preconnect = manifest.preconnect?.get(key);
    const single: Manifest = { pages: new Map([[ANY_PAGE, resources]]) };
    if (preconnect !== undefined) single.preconnect = new Map([[ANY_PAGE, preconnect]]) as Manifest['preconnect'] & {};
    const route = RouteTable.fromManifest(single, { linkHeaderMax: options.linkHeaderMax }).match('/');
    if (route === undefined) continue;
    if (route.droppedLinks > 0) {
      warnings.push(
        `${key}: ${options.target} Link header trimmed to its ${route.links.length} most critical of ${route.links.length + route.droppedLinks} links (${options.linkHeaderMax} bytes at most)`,
      );
    }
    const kind: RouteKind = key === ANY_PAGE ? 'any' : isPatternKey(key) ? 'pattern' : 'literal';
    routes.push({
      key,
      kind,
      paths: kind === 'literal' ? requestPaths(key) : [],
      links: route.links,
      dropped: route.droppedLinks,
      header: options.push ? route.linkHeaderAllPushed : route.linkHeader,
      earlyHints: route.earlyHintsValue,
      pushes: route.pushes.map((push) => push.url),
    });
  }
  return { routes, warnings };
}

/**
 * The request paths that name a literal page, as the runtime's route table answers them: the
 * key itself, then `/about/` and `/about` for `/about/index.html`, `/` for `/index.html`,
 * `/about` for `/about.html`.
 */
export function requestPaths(key: RouteKey): string[] {
  const path = key.startsWith('/') ? key : `/${key}`;
  const index = /^(.*\/)index\.html?$/.exec(path);
  if (index !== null) {
    const dir = index[1] as string;
    return dir === '/' ? [path, '/'] : [path, dir, dir.slice(0, -1)];
  }
  const page = /^(.+)\.html?$/.exec(path);
  return page === null ? [path] : [path, page[1] as string];
}

/**
 * A percent-encoded path decoded the way nginx, Apache and Caddy match locations (they compare
 * the decoded path). Undefined when the escapes are not UTF-8, which no config file can name.
 */
export function decodePath(path: string): string | undefined {
  try {
    return decodeURIComponent(path);
  } catch {
    return undefined;
  }
}

/**
 * Each path as sent (percent-encoded) and, where different, decoded: for targets whose docs do not
 * say which form their matcher sees (Firebase, Vercel), so the rule matches either way.
 */
export function bothSpellings(paths: readonly string[]): string[] {
  const out = new Set<string>();
  for (const path of paths) {
    out.add(path);
    const decoded = decodePath(path);
    if (decoded !== undefined && !/[\u0000-\u001f\u007f]/.test(decoded)) out.add(decoded);
  }
  return [...out];
}

/** The comment line that says which manifest and tool produced an output. */
export function provenance(options: { manifestName?: string; generator?: string }, target: string): string {
  const from = options.manifestName === undefined ? 'a push manifest' : options.manifestName;
  const by = options.generator === undefined ? 'push-manifest' : options.generator;
  return `${target} config generated from ${from} by ${by}; regenerate it rather than editing it`;
}
