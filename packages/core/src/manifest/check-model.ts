/**
 * Checks on an in-memory {@link Manifest} before it is written, so we never write a file we
 * would refuse to read (a CR in a URL, a weight of 0, a duplicate URL that JSON would silently
 * collapse).
 */
import { ANY_PAGE, isPatternKey, MAX_WEIGHT, MIN_WEIGHT, RESOURCE_TYPES, type Manifest, type PreconnectHint, type Resource } from './model.js';
import type { ManifestProblem } from './problems.js';
import { fetchprioritySchema, imagesizesSchema, imagesrcsetSchema, mediaSchema, mimeTypeSchema } from './schema.js';
import { badOriginReason, resolveManifestPath } from './url-safety.js';
import { literalPageRoute } from './formats/multi.js';

const TYPES = new Set<string>(RESOURCE_TYPES);

/** The string fields that go into Link attributes, checked by the same schemas the readers use. */
const ATTRIBUTE_SCHEMAS = [
  ['media', mediaSchema],
  ['imagesrcset', imagesrcsetSchema],
  ['imagesizes', imagesizesSchema],
  ['fetchpriority', fetchprioritySchema],
  ['mimeType', mimeTypeSchema],
] as const;

/** Whether a value is an in-memory {@link Manifest} (has a `pages` Map) rather than parsed JSON. */
export function isManifest(value: unknown): value is Manifest {
  return typeof value === 'object' && value !== null && (value as { pages?: unknown }).pages instanceof Map;
}

/**
 * Every problem in an in-memory manifest, with paths of the form `[route, url, field]`: the checks
 * the readers apply to files (safe same-origin URLs, types, weights, …), for a model built in
 * code. A runtime handed a `Manifest` object instead of a file should run this before use.
 */
export function checkManifest(manifest: Manifest): ManifestProblem[] {
  const problems: ManifestProblem[] = [];
  const add = (path: (string | number)[], message: string) => problems.push({ path, message });
  if (!isManifest(manifest)) {
    add([], 'expected a Manifest: { pages: Map<route, Resource[]> }');
    return problems;
  }
  const check = urlVerdicts();
  const routes = new Set([...manifest.pages.keys(), ...(manifest.preconnect?.keys() ?? [])]);
  for (const route of routes) checkPage(route, manifest.pages.get(route), manifest.preconnect?.get(route), check, problems);
  return problems;
}

/** A memo of {@link resolveManifestPath} by URL: pages share most of their resources, so each distinct URL is checked once. */
export type UrlVerdicts = (url: string) => ReturnType<typeof resolveManifestPath>;

/** A fresh {@link UrlVerdicts} memo. */
export function urlVerdicts(): UrlVerdicts {
  const verdicts = new Map<string, ReturnType<typeof resolveManifestPath>>();
  return (url) => {
    let verdict = verdicts.get(url);
    if (verdict === undefined) verdicts.set(url, (verdict = resolveManifestPath(url)));
    return verdict;
  };
}

/**
 * {@link checkManifest}'s checks on one page: its route key, its resources and its preconnect
 * hints. Problems are appended to `problems` in the order `checkManifest` gives them.
 */
export function checkPage(
  route: string,
  resources: readonly Resource[] | undefined,
  preconnect: readonly PreconnectHint[] | undefined,
  check: UrlVerdicts,
  problems: ManifestProblem[],
): void {
  const add = (path: (string | number)[], message: string) => problems.push({ path, message });
  if (typeof route !== 'string') {
    add([String(route)], 'page key must be a string');
    return;
  }
  if (route !== ANY_PAGE) {
    if (isPatternKey(route)) {
      try {
        new RegExp(route);
      } catch (error) {
        add([route], `page key is not a valid regular expression (${(error as Error).message})`);
      }
    } else {
      const literal = route.startsWith('/') ? literalPageRoute(route) : { ok: false as const, reason: 'must start with "/"' };
      if (!literal.ok) add([route], `page key ${literal.reason}`);
    }
  }
  const seen = new Set<string>();
  for (const resource of resources ?? []) {
    const url = resource.url;
    const resolved = typeof url === 'string' ? check(url) : { ok: false as const, reason: 'must be a string' };
    if (!resolved.ok) add([route, String(url)], `resource URL ${resolved.reason}`);
    else if (seen.has(url)) add([route, url], 'listed twice for this page');
    seen.add(url);
    const at = (field: string) => [route, String(url), field];
    if (!TYPES.has(resource.type)) add(at('type'), `expected one of ${RESOURCE_TYPES.join(', ')} (got ${JSON.stringify(resource.type)})`);
    if (!Number.isInteger(resource.weight) || resource.weight < MIN_WEIGHT || resource.weight > MAX_WEIGHT) {
      add(at('weight'), `expected an integer from ${MIN_WEIGHT} to ${MAX_WEIGHT} (got ${JSON.stringify(resource.weight)})`);
    }
    if (resource.crossorigin !== undefined && resource.crossorigin !== 'anonymous' && resource.crossorigin !== 'use-credentials') {
      add(at('crossorigin'), `expected "anonymous" or "use-credentials" (got ${JSON.stringify(resource.crossorigin)})`);
    }
    if (resource.rel !== undefined && resource.rel !== 'preload' && resource.rel !== 'modulepreload') {
      add(at('rel'), `expected "preload" or "modulepreload" (got ${JSON.stringify(resource.rel)})`);
    }
    if (resource.nopush !== undefined && typeof resource.nopush !== 'boolean') {
      add(at('nopush'), `expected true or false (got ${JSON.stringify(resource.nopush)})`);
    }
    for (const [field, schema] of ATTRIBUTE_SCHEMAS) {
      if (resource[field] === undefined) continue;
      const checked = schema.safeParse(resource[field]);
      if (!checked.success) add(at(field), checked.error.issues[0]?.message ?? `invalid ${field}`);
    }
  }
  for (const hint of preconnect ?? []) {
    const origin = typeof hint === 'object' && hint !== null ? hint.origin : undefined;
    if (typeof origin !== 'string') {
      add([route, String(origin)], 'preconnect hint must be { origin, crossorigin? }');
      continue;
    }
    const bad = badOriginReason(origin);
    if (bad) add([route, origin], `preconnect origin ${bad}`);
    if (hint.crossorigin !== undefined && hint.crossorigin !== 'anonymous' && hint.crossorigin !== 'use-credentials') {
      add([route, origin, 'crossorigin'], `expected "anonymous" or "use-credentials" (got ${JSON.stringify(hint.crossorigin)})`);
    }
  }
}
