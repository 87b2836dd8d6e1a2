/**
 * push-manifest's own format, version 1: every hint the model holds, for our runtime and exports.
 * The old shapes cannot carry preconnect origins, media-conditional resources or responsive
 * images without their old readers misusing them (see `legacy.ts`), so this format is separate,
 * marked, and only written when asked for (`--format v1`):
 *
 * ```json
 * { "push-manifest": 1,
 *   "pages": {
 *     "/index.html": {
 *       "resources": { "/css/app.css": { "type": "style", "weight": 256 } },
 *       "preconnect": [{ "origin": "https://fonts.example", "crossorigin": "anonymous" }] } } }
 * ```
 *
 * Page keys are the model's route keys as they are: absolute literal paths, regular expressions
 * (`^…` or `…$`), `*` for any page. Resource entries are those of every format.
 */
import { ANY_PAGE, isPatternKey, samePreconnect, type Manifest, type PreconnectHint, type Resource, type RouteKey } from '../model.js';
import { renderJsonValue, renderObject } from '../json-text.js';
import { preconnectEntrySchema } from '../schema.js';
import { badOriginReason } from '../url-safety.js';
import { compareCodeUnits, readPageEntries, renderPageEntries, toPreconnect } from './entries.js';
import { isPlainObject, kindOf, report, warn, type ReadContext } from './context.js';
import { literalPageRoute } from './multi.js';

/** The key that marks the format, and the version this code reads and writes. */
export const V1_MARKER = 'push-manifest';
export const V1_VERSION = 1;

/** Whether parsed JSON is in this format (it carries the marker key). */
export function isV1(json: unknown): boolean {
  return isPlainObject(json) && Object.hasOwn(json, V1_MARKER);
}

function routeOf(key: string): { ok: true; route: RouteKey } | { ok: false; reason: string } {
  if (key === ANY_PAGE) return { ok: true, route: ANY_PAGE };
  if (isPatternKey(key)) {
    try {
      new RegExp(key);
    } catch (error) {
      return { ok: false, reason: `is not a valid regular expression (${(error as Error).message})` };
    }
    return /[\u0000-\u001f\u007f]/.test(key) ? { ok: false, reason: 'contains a control character' } : { ok: true, route: key };
  }
  if (!key.startsWith('/')) return { ok: false, reason: 'must be an absolute path (start with "/"), a regular expression or "*"' };
  return literalPageRoute(key);
}

function readPreconnect(value: unknown, path: (string | number)[], context: ReadContext): PreconnectHint[] {
  const hints: PreconnectHint[] = [];
  if (!Array.isArray(value)) {
    report(context, path, `expected an array of { "origin": …, "crossorigin"?: … } (got ${kindOf(value)})`);
    return hints;
  }
  value.forEach((item, index) => {
    const at = [...path, index];
    if (!isPlainObject(item) || typeof item.origin !== 'string') {
      report(context, at, `expected { "origin": "https://…", "crossorigin"?: … } (got ${kindOf(item)})`);
      return;
    }
    const bad = badOriginReason(item.origin);
    if (bad) report(context, [...at, 'origin'], `preconnect origin ${bad}`);
    const { origin, ...rest } = item;
    const parsed = preconnectEntrySchema.safeParse({ rel: 'preconnect', ...rest });
    if (!parsed.success) for (const issue of parsed.error.issues) report(context, [...at, ...issue.path.map(String)], issue.code === 'unrecognized_keys' ? `a preconnect hint takes only "origin" and "crossorigin" (found ${issue.keys.join(', ')})` : issue.message);
    if (bad || !parsed.success) return;
    const hint = toPreconnect(origin, parsed.data.crossorigin);
    if (!hints.some((known) => samePreconnect(known, hint))) hints.push(hint);
  });
  return hints;
}

/** Read a v1 object (already known to carry the marker). */
export function readV1(json: Record<string, unknown>, context: ReadContext): Manifest {
  const manifest: Manifest = { pages: new Map() };
  const version = json[V1_MARKER];
  if (version !== V1_VERSION) {
    report(context, [V1_MARKER], `version ${JSON.stringify(version)} is not one this reader knows (${V1_VERSION})`);
    return manifest;
  }
  for (const key of Object.keys(json)) {
    if (key !== V1_MARKER && key !== 'pages') warn(context, [key], 'unknown top-level field; ignored');
  }
  const pages = json.pages;
  if (!isPlainObject(pages)) {
    report(context, ['pages'], `expected an object of page → { resources, preconnect } (got ${kindOf(pages)})`);
    return manifest;
  }
  for (const [key, page] of Object.entries(pages)) {
    const at = ['pages', key];
    const mapped = routeOf(key);
    if (!mapped.ok) report(context, at, `page key ${mapped.reason}`);
    if (!isPlainObject(page)) {
      report(context, at, `expected { "resources": …, "preconnect": … } (got ${kindOf(page)})`);
      continue;
    }
    for (const field of Object.keys(page)) {
      if (field !== 'resources' && field !== 'preconnect') warn(context, [...at, field], 'unknown page field; ignored');
    }
    const entries = readPageEntries(page.resources ?? {}, [...at, 'resources'], context);
    if (entries.preconnect.length > 0) report(context, [...at, 'resources'], 'preconnect origins go in the page\'s "preconnect" list in this format');
    const hints = page.preconnect === undefined ? [] : readPreconnect(page.preconnect, [...at, 'preconnect'], context);
    if (!mapped.ok) continue;
    if (manifest.pages.has(mapped.route)) {
      report(context, at, `same page as an earlier key (both are ${mapped.route})`);
      continue;
    }
    manifest.pages.set(mapped.route, entries.resources);
    if (hints.length > 0) {
      manifest.preconnect ??= new Map();
      manifest.preconnect.set(mapped.route, hints);
    }
  }
  return manifest;
}

/** The text of a v1 file around its pages (see `PAGES_LAYOUT` in pages.ts). */
export const V1_LAYOUT = {
  head: `{\n  ${JSON.stringify(V1_MARKER)}: ${V1_VERSION},\n  "pages": {\n`,
  separator: ',\n',
  tail: '\n  }\n}\n',
  empty: `{\n  ${JSON.stringify(V1_MARKER)}: ${V1_VERSION},\n  "pages": {}\n}\n`,
} as const;

/** One page of a v1 file: its route key, its resources (priority order) and its preconnect hints (given order, repeats dropped). */
export function renderV1Page(route: RouteKey, resources: readonly Resource[], preconnect: readonly PreconnectHint[] | undefined): string {
  const hints: PreconnectHint[] = [];
  for (const { origin, crossorigin } of preconnect ?? []) {
    const hint: PreconnectHint = crossorigin === undefined ? { origin } : { origin, crossorigin };
    if (!hints.some((known) => samePreconnect(known, hint))) hints.push(hint);
  }
  const fields: [string, string][] = [['resources', renderPageEntries(resources, '      ')]];
  if (hints.length > 0) fields.push(['preconnect', renderJsonValue(hints, '      ')]);
  return `    ${JSON.stringify(route)}: ${renderObject(fields, '    ')}`;
}

/** Write v1: pages sorted by route key, each with its resources (priority order) and preconnect hints (given order). */
export function writeV1(manifest: Manifest, routes: readonly RouteKey[]): string {
  if (routes.length === 0) return V1_LAYOUT.empty;
  const pairs = [...routes].sort(compareCodeUnits).map((route) => renderV1Page(route, manifest.pages.get(route) ?? [], manifest.preconnect?.get(route)));
  return `${V1_LAYOUT.head}${pairs.join(V1_LAYOUT.separator)}${V1_LAYOUT.tail}`;
}
