/**
 * `inspect --manifest`: does what the server sent for a page match the manifest's entry for it?
 * The route is found as the server finds it (the runtime's RouteTable); each expected link is the
 * runtime's own `resourceLink`, and links are compared parameter by parameter, whatever the
 * parameters are, so a new link field in the manifest is compared without code here.
 */
import type { Manifest, Resource } from '../manifest/model.js';
import { resourceLink } from '../runtime/link-header.js';
import { RouteTable } from '../runtime/route-table.js';
import { likelySuccessor } from './hashed-name.js';
import { isFetchHint } from './links.js';
import type { SeenLink, SeenNavigation } from './types.js';

/** One way the server's hints differ from the manifest. */
export interface Mismatch {
  kind: 'missing' | 'extra' | 'mistyped' | 'out-of-order';
  url: string;
  message: string;
  /** For `mistyped`: each parameter that differs (absent is undefined; a bare parameter is `''`). */
  params?: { name: string; expected: string | undefined; seen: string | undefined }[];
}

/** The result of {@link compareWithManifest}. */
export interface ManifestComparison {
  /** The manifest key the page's path matched, as the server would match it; undefined for none. */
  route: string | undefined;
  /** Resources the manifest lists for the route (its order). */
  expected: string[];
  mismatches: Mismatch[];
  /** True when there are no mismatches and no `error` problems in the navigation's summary. */
  ok: boolean;
}

/** Parameters that say whether to push, not how to fetch: the server's business. */
const IGNORED = new Set(['nopush']);
/**
 * Parameters a browser acts on when it preloads (the `<link>` attributes a `Link` header maps to).
 * Every parameter the runtime would write for the manifest's resource is compared; of the
 * server's, those in this set too (a server that adds `fetchpriority` or `media` changes the
 * fetch), and others are ignored as browsers ignore them.
 */
const FETCH_PARAMS = new Set(['rel', 'as', 'crossorigin', 'media', 'type', 'imagesrcset', 'imagesizes', 'fetchpriority', 'integrity', 'referrerpolicy', 'blocking']);
/** Parameters whose values are case-insensitive keywords. */
const KEYWORDS = new Set(['rel', 'as', 'crossorigin', 'fetchpriority']);

function normalise(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (name === 'crossorigin' && (value === '' || value.toLowerCase() === 'anonymous')) return 'anonymous';
  return KEYWORDS.has(name) ? value.toLowerCase() : value;
}

function expectedParams(resource: Resource): Map<string, string | undefined> {
  const params = new Map<string, string | undefined>();
  for (const [name, value] of resourceLink(resource, false).params) params.set(name.toLowerCase(), normalise(name, value ?? ''));
  return params;
}

function paramDiffs(resource: Resource, link: SeenLink): NonNullable<Mismatch['params']> {
  const expected = expectedParams(resource);
  const seen = new Map(Object.entries(link.params).map(([name, value]) => [name, normalise(name, value)]));
  const names = new Set([...expected.keys(), ...[...seen.keys()].filter((name) => FETCH_PARAMS.has(name))]);
  const diffs: NonNullable<Mismatch['params']> = [];
  for (const name of names) {
    if (IGNORED.has(name)) continue;
    const want = expected.get(name);
    const got = seen.get(name);
    // `rel` is a token list: `preload` in `rel="preload prefetch"` is still a preload.
    if (name === 'rel' && want !== undefined && link.rel.includes(want)) continue;
    if (want !== got) diffs.push({ name, expected: want, seen: got });
  }
  return diffs;
}

function mistypedMessage(resource: Resource, diffs: NonNullable<Mismatch['params']>): string {
  const reasons = diffs.map(({ name, expected, seen }) => {
    if (name === 'crossorigin' && seen === undefined && resource.type === 'font') return 'a font hinted without crossorigin (the browser downloads it twice)';
    if (name === 'crossorigin' && seen === undefined) return 'hinted without crossorigin';
    if (name === 'rel' && expected === 'modulepreload') return `a module hinted rel=${seen ?? '(none)'}, not modulepreload`;
    const show = (value: string | undefined) => (value === undefined ? '(absent)' : value === '' ? '(bare)' : value);
    return `${name}: manifest ${show(expected)}, server ${show(seen)}`;
  });
  return `${resource.url}: ${reasons.join('; ')}`;
}

/** Origins a manifest's preconnect entry names (a string today; `{ origin }` objects are read too). */
function preconnectOrigins(entries: readonly unknown[] | undefined): string[] {
  return (entries ?? []).map((entry) => (typeof entry === 'string' ? entry : String((entry as { origin?: unknown }).origin)));
}

/**
 * Compare one navigation with the manifest's entry for `path` (the page's URL path and query).
 * Missing: listed but neither hinted nor pushed. Extra: hinted or pushed but not listed (with the
 * listed file it likely replaced, when its name differs only by a hash). Mistyped: a link whose
 * parameters differ from the manifest's, or a push of a `nopush` resource. Out of order: the
 * Link header's order differs from the manifest's.
 */
export function compareWithManifest(manifest: Manifest, path: string, nav: SeenNavigation): ManifestComparison {
  const route = RouteTable.fromManifest(manifest).match(path);
  const resources = route === undefined ? [] : (manifest.pages.get(route.key) ?? []);
  const origins = route === undefined ? [] : preconnectOrigins(manifest.preconnect?.get(route.key));
  const byUrl = new Map(resources.map((resource) => [resource.url, resource]));

  // The final Link header is what a browser and a CDN act on; a 103 stands in when it has none.
  const links = nav.links.length > 0 ? nav.links : nav.earlyHints.flatMap((hint) => hint.links);
  const hinted = new Map<string, SeenLink>();
  for (const link of [...links, ...nav.earlyHints.flatMap((hint) => hint.links)]) {
    const key = link.path ?? link.url;
    if ((isFetchHint(link) || link.rel.includes('preconnect')) && !hinted.has(key)) hinted.set(key, link);
  }
  const pushed = new Set(nav.pushes.filter((push) => push.cancelled === undefined).map((push) => push.path));

  const mismatches: Mismatch[] = [];
  const missing = resources.filter((resource) => !hinted.has(resource.url) && !pushed.has(resource.url)).map((resource) => resource.url);
  for (const url of missing) mismatches.push({ kind: 'missing', url, message: `${url}: in the manifest, neither hinted nor pushed` });
  for (const origin of origins) {
    if (!hinted.has(origin)) mismatches.push({ kind: 'missing', url: origin, message: `${origin}: preconnect in the manifest, not hinted` });
  }

  const extra = new Set<string>();
  for (const [key, link] of hinted) {
    if (link.rel.includes('preconnect') && !isFetchHint(link)) {
      if (!origins.includes(key)) extra.add(key);
    } else if (!byUrl.has(key)) {
      extra.add(key);
    }
  }
  for (const path of pushed) if (!byUrl.has(path)) extra.add(path);
  for (const url of extra) {
    const successor = likelySuccessor(url, missing);
    const how = pushed.has(url) ? (hinted.has(url) ? 'pushed and hinted' : 'pushed') : 'hinted';
    mismatches.push({
      kind: 'extra',
      url,
      message: successor === undefined ? `${url}: ${how}, not in the manifest` : `${url}: ${how}, not in the manifest: stale, the manifest now lists ${successor}`,
    });
  }

  for (const resource of resources) {
    const link = hinted.get(resource.url);
    if (link !== undefined) {
      const diffs = paramDiffs(resource, link);
      if (diffs.length > 0) mismatches.push({ kind: 'mistyped', url: resource.url, message: mistypedMessage(resource, diffs), params: diffs });
    }
    if (resource.nopush === true && pushed.has(resource.url)) {
      mismatches.push({ kind: 'mistyped', url: resource.url, message: `${resource.url}: pushed, but the manifest says nopush` });
    }
  }

  const order = resources.map((resource) => resource.url);
  let previous: { url: string; at: number } | undefined;
  for (const link of links) {
    const key = link.path ?? link.url;
    const at = isFetchHint(link) ? order.indexOf(key) : -1;
    if (at < 0) continue;
    if (previous !== undefined && at < previous.at) {
      mismatches.push({ kind: 'out-of-order', url: key, message: `${key} is hinted after ${previous.url}; the manifest puts it first` });
    }
    if (previous === undefined || at > previous.at) previous = { url: key, at };
  }

  const errors = nav.summary.problems.some((problem) => problem.severity === 'error');
  return { route: route?.key, expected: order, mismatches, ok: mismatches.length === 0 && !errors };
}
