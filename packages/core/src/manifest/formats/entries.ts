/**
 * Reading and writing the resources of one page (`{ "/app.css": { "type": "style", … } }`), the
 * part every format shares: the whole `single` format, and each page of `multi` and `polymer`.
 */
import type { $ZodIssue } from 'zod/v4/core';
import type { CrossOrigin, FetchPriority, PreconnectHint, Resource, ResourceRel, ResourceType } from '../model.js';
import { MIN_WEIGHT, samePreconnect } from '../model.js';
import { preconnectEntrySchema, resourceEntrySchema } from '../schema.js';
import { badOriginReason, isOriginLike, resolveManifestPath } from '../url-safety.js';
import { renderJsonValue } from '../json-text.js';
import { isPlainObject, kindOf, report, warn, type ReadContext } from './context.js';
import { typeFromOldExtension } from './old-types.js';

/** The fields the model knows, in the order they are written. Anything else goes to `extra`. */
export const KNOWN_FIELDS = ['type', 'weight', 'crossorigin', 'rel', 'nopush', 'media', 'imagesrcset', 'imagesizes', 'fetchpriority', 'mimeType'] as const;
const KNOWN = new Set<string>(KNOWN_FIELDS);

/** The resources and preconnect origins of one page. */
export interface PageEntries {
  resources: Resource[];
  preconnect: PreconnectHint[];
}

/**
 * Read the entries of one page. `path` is the JSON path of the page object; `base`, when given,
 * allows relative resource URLs and resolves them against it (the polymer format). Problems go to
 * `context`; entries with problems are left out of the result.
 */
export function readPageEntries(value: unknown, path: string[], context: ReadContext, base?: string): PageEntries {
  const resources: Resource[] = [];
  const preconnect: PreconnectHint[] = [];
  if (!isPlainObject(value)) {
    report(context, path, `expected an object of resource URL → entry (got ${kindOf(value)})`);
    return { resources, preconnect };
  }
  const seen = new Map<string, string>();
  for (const [key, entry] of Object.entries(value)) {
    const entryPath = [...path, key];
    if (isOriginLike(key) && isPlainObject(entry) && entry.rel === 'preconnect') {
      const bad = badOriginReason(key);
      if (bad) report(context, entryPath, `preconnect origin ${bad}`);
      const parsed = preconnectEntrySchema.safeParse(entry);
      if (!parsed.success) reportIssues(context, entryPath, parsed.error.issues);
      if (!bad && parsed.success) {
        const hint = toPreconnect(key, parsed.data.crossorigin);
        if (!preconnect.some((known) => samePreconnect(known, hint))) preconnect.push(hint);
      }
      continue;
    }
    const resolved = resolveManifestPath(key, base);
    if (!resolved.ok) report(context, entryPath, `resource URL ${resolved.reason}`);
    let typed = entry;
    if (isPlainObject(entry) && entry.type === '') {
      // What http2-push-manifest wrote for an extension it did not know: repair it where the
      // extension is certain, drop it otherwise; a warning either way, never the whole file refused.
      const inferred = resolved.ok ? typeFromOldExtension(resolved.path) : undefined;
      if (inferred === undefined) {
        warn(context, [...entryPath, 'type'], '"" is not a preload type and the extension does not tell one; entry dropped');
        continue;
      }
      warn(context, [...entryPath, 'type'], `"" is not a preload type; read as ${JSON.stringify(inferred)} from the extension`);
      typed = { ...entry, type: inferred };
    }
    const parsed = resourceEntrySchema.safeParse(typed);
    if (!parsed.success) reportIssues(context, entryPath, parsed.error.issues);
    if (!resolved.ok || !parsed.success) continue;
    const earlier = seen.get(resolved.path);
    if (earlier !== undefined) {
      report(context, entryPath, `same resource as ${JSON.stringify(earlier)} (both are ${resolved.path})`);
      continue;
    }
    seen.set(resolved.path, key);
    resources.push(toResource(resolved.path, parsed.data as Record<string, unknown>, entry as Record<string, unknown>));
  }
  return { resources: sortByWeight(resources), preconnect };
}

/** A preconnect hint from an origin and its entry's `crossorigin` (`""`/`true` anonymous, `false` none). */
export function toPreconnect(origin: string, crossorigin: unknown): PreconnectHint {
  if (crossorigin === '' || crossorigin === true || crossorigin === 'anonymous') return { origin, crossorigin: 'anonymous' };
  if (crossorigin === 'use-credentials') return { origin, crossorigin: 'use-credentials' };
  return { origin };
}

function toResource(url: string, data: Record<string, unknown>, raw: Record<string, unknown>): Resource {
  const resource: Resource = {
    url,
    type: data.type as ResourceType,
    weight: typeof data.weight === 'number' ? data.weight : MIN_WEIGHT,
  };
  // `""` and `true` are what old files and the HTML attribute's empty value mean: anonymous.
  if (data.crossorigin === '' || data.crossorigin === true) resource.crossorigin = 'anonymous';
  else if (typeof data.crossorigin === 'string') resource.crossorigin = data.crossorigin as CrossOrigin;
  if (data.rel !== undefined) resource.rel = data.rel as ResourceRel;
  if (data.nopush !== undefined) resource.nopush = data.nopush as boolean;
  if (data.media !== undefined) resource.media = data.media as string;
  if (data.imagesrcset !== undefined) resource.imagesrcset = data.imagesrcset as string;
  if (data.imagesizes !== undefined) resource.imagesizes = data.imagesizes as string;
  if (data.fetchpriority !== undefined) resource.fetchpriority = data.fetchpriority as FetchPriority;
  if (data.mimeType !== undefined) resource.mimeType = data.mimeType as string;
  const extra: Record<string, unknown> = {};
  let hasExtra = false;
  // Unknown fields come from the input itself: zod's copy assigns keys, which would turn a
  // "__proto__" field into the copy's prototype and lose it.
  for (const [name, field] of Object.entries(raw)) {
    if (!KNOWN.has(name)) {
      // defineProperty: a field named "__proto__" (JSON.parse makes it an own property) must stay
      // data, not replace the object's prototype.
      Object.defineProperty(extra, name, { value: field, enumerable: true, writable: true, configurable: true });
      hasExtra = true;
    }
  }
  if (hasExtra) resource.extra = extra;
  return resource;
}

/** Turn zod issues into problems whose paths start at the entry. */
function reportIssues(context: ReadContext, entryPath: string[], issues: readonly $ZodIssue[]): void {
  for (const issue of issues) {
    const path = [...entryPath, ...issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment))];
    if (issue.code === 'unrecognized_keys') {
      report(context, path, `a preconnect entry takes only "rel" and "crossorigin" (found ${issue.keys.map((key) => JSON.stringify(key)).join(', ')})`);
    } else {
      report(context, path, issue.message);
    }
  }
}

/** Resources in priority order: weight descending, ties in the given order (the sort is stable). */
export function sortByWeight(resources: readonly Resource[]): Resource[] {
  return [...resources].sort((a, b) => b.weight - a.weight);
}

/**
 * Render one resource entry at `indent`: known fields in a fixed order, then extra fields by name.
 * Built as a string directly: a manifest can hold 150,000 entries, and this runs once per entry.
 */
export function renderResource(resource: Resource, indent: string): string {
  const inner = `${indent}  `;
  let text = `{\n${inner}"type": ${JSON.stringify(resource.type)},\n${inner}"weight": ${JSON.stringify(resource.weight)}`;
  if (resource.crossorigin !== undefined) text += `,\n${inner}"crossorigin": ${JSON.stringify(resource.crossorigin)}`;
  if (resource.rel !== undefined) text += `,\n${inner}"rel": ${JSON.stringify(resource.rel)}`;
  if (resource.nopush !== undefined) text += `,\n${inner}"nopush": ${JSON.stringify(resource.nopush)}`;
  if (resource.media !== undefined) text += `,\n${inner}"media": ${JSON.stringify(resource.media)}`;
  if (resource.imagesrcset !== undefined) text += `,\n${inner}"imagesrcset": ${JSON.stringify(resource.imagesrcset)}`;
  if (resource.imagesizes !== undefined) text += `,\n${inner}"imagesizes": ${JSON.stringify(resource.imagesizes)}`;
  if (resource.fetchpriority !== undefined) text += `,\n${inner}"fetchpriority": ${JSON.stringify(resource.fetchpriority)}`;
  if (resource.mimeType !== undefined) text += `,\n${inner}"mimeType": ${JSON.stringify(resource.mimeType)}`;
  if (resource.extra) {
    for (const name of Object.keys(resource.extra).sort(compareCodeUnits)) {
      const field = resource.extra[name];
      if (!KNOWN.has(name) && field !== undefined) text += `,\n${inner}${JSON.stringify(name)}: ${renderJsonValue(field, inner)}`;
    }
  }
  return `${text}\n${indent}}`;
}

/** The resources of one page as a JSON object at `indent` (URL → entry), in priority order. */
export function renderPageEntries(resources: readonly Resource[], indent = ''): string {
  const inner = `${indent}  `;
  const parts: string[] = [];
  for (const resource of sortByWeight(resources)) parts.push(`${inner}${JSON.stringify(resource.url)}: ${renderResource(resource, inner)}`);
  return parts.length === 0 ? '{}' : `{\n${parts.join(',\n')}\n${indent}}`;
}

/** Locale-independent string order, so output does not depend on the machine's locale. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
