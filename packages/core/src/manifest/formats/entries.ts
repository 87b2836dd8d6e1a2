/**
 * Reading and writing the resources of one page (`{ "/app.css": { "type": "style", … } }`), the
 * part every format shares: the whole `single` format, and each page of `multi` and `polymer`.
 */
import type { $ZodIssue } from 'zod/v4/core';
import type { CrossOrigin, Resource, ResourceRel, ResourceType } from '../model.js';
import { MIN_WEIGHT } from '../model.js';
import { preconnectEntrySchema, resourceEntrySchema } from '../schema.js';
import { badOriginReason, isOriginLike, resolveManifestPath } from '../url-safety.js';
import { jsonValue, renderObject, type RenderedPairs } from '../json-text.js';
import { isPlainObject, kindOf, report, type ReadContext } from './context.js';

/** The fields the model knows, in the order they are written. Anything else goes to `extra`. */
export const KNOWN_FIELDS = ['type', 'weight', 'crossorigin', 'rel', 'nopush', 'media'] as const;
const KNOWN = new Set<string>(KNOWN_FIELDS);

/** The resources and preconnect origins of one page. */
export interface PageEntries {
  resources: Resource[];
  preconnect: string[];
}

/**
 * Read the entries of one page. `path` is the JSON path of the page object; `base`, when given,
 * allows relative resource URLs and resolves them against it (the polymer format). Problems go to
 * `context`; entries with problems are left out of the result.
 */
export function readPageEntries(value: unknown, path: string[], context: ReadContext, base?: string): PageEntries {
  const resources: Resource[] = [];
  const preconnect: string[] = [];
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
      if (!bad && parsed.success && !preconnect.includes(key)) preconnect.push(key);
      continue;
    }
    const resolved = resolveManifestPath(key, base);
    if (!resolved.ok) report(context, entryPath, `resource URL ${resolved.reason}`);
    const parsed = resourceEntrySchema.safeParse(entry);
    if (!parsed.success) reportIssues(context, entryPath, parsed.error.issues);
    if (!resolved.ok || !parsed.success) continue;
    const earlier = seen.get(resolved.path);
    if (earlier !== undefined) {
      report(context, entryPath, `same resource as ${JSON.stringify(earlier)} (both are ${resolved.path})`);
      continue;
    }
    seen.set(resolved.path, key);
    resources.push(toResource(resolved.path, parsed.data as Record<string, unknown>));
  }
  return { resources: sortByWeight(resources), preconnect };
}

function toResource(url: string, data: Record<string, unknown>): Resource {
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
  const extra: Record<string, unknown> = {};
  let hasExtra = false;
  for (const [name, field] of Object.entries(data)) {
    if (!KNOWN.has(name)) {
      extra[name] = field;
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
      report(context, path, `a preconnect entry takes only "rel" (found ${issue.keys.map((key) => JSON.stringify(key)).join(', ')})`);
    } else {
      report(context, path, issue.message);
    }
  }
}

/** Resources in priority order: weight descending, ties in the given order (the sort is stable). */
export function sortByWeight(resources: readonly Resource[]): Resource[] {
  return [...resources].sort((a, b) => b.weight - a.weight);
}

/** Render one resource entry: known fields in a fixed order, then extra fields by name. */
export function renderResource(resource: Resource): (indent: string) => string {
  const pairs: Array<[string, (indent: string) => string]> = [
    ['type', jsonValue(resource.type)],
    ['weight', jsonValue(resource.weight)],
  ];
  if (resource.crossorigin !== undefined) pairs.push(['crossorigin', jsonValue(resource.crossorigin)]);
  if (resource.rel !== undefined) pairs.push(['rel', jsonValue(resource.rel)]);
  if (resource.nopush !== undefined) pairs.push(['nopush', jsonValue(resource.nopush)]);
  if (resource.media !== undefined) pairs.push(['media', jsonValue(resource.media)]);
  if (resource.extra) {
    for (const name of Object.keys(resource.extra).sort(compareCodeUnits)) {
      const field = resource.extra[name];
      if (!KNOWN.has(name) && field !== undefined) pairs.push([name, jsonValue(field)]);
    }
  }
  return (indent) => renderObject(pairs, indent);
}

/** The entries of one page, resources in priority order then preconnect origins in given order. */
export function renderPageEntries(resources: readonly Resource[], preconnect: readonly string[] = []): RenderedPairs {
  const pairs: Array<[string, (indent: string) => string]> = sortByWeight(resources).map((resource) => [
    resource.url,
    renderResource(resource),
  ]);
  for (const origin of new Set(preconnect)) {
    pairs.push([origin, (indent) => renderObject([['rel', jsonValue('preconnect')]], indent)]);
  }
  return pairs;
}

/** Locale-independent string order, so output does not depend on the machine's locale. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
