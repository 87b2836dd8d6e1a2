/**
 * Learned entries: resources a real browser fetched before the LCP that the crawl could not see
 * (a CSS background, a computed `import()`), added to a page's manifest entry by
 * `measure --learn --write`. They carry `"learned": true` (kept in {@link Resource.extra}, so
 * every format round-trips it), and `generate` keeps them when it rewrites that manifest.
 */
import { weightAt } from '../manifest/order.js';
import { ANY_PAGE, type Manifest, type Resource, type ResourceType } from '../manifest/model.js';

/** A resource `--learn` found. */
export interface LearnedResource {
  url: string;
  type: ResourceType;
  crossorigin?: 'anonymous';
  rel?: 'modulepreload';
}

/** Whether a manifest entry was learned by `measure --learn --write`. */
export function isLearned(resource: Resource): boolean {
  return resource.extra?.learned === true;
}

/** The manifest resource for a learned one, marked learned. */
function asResource(learned: LearnedResource, weight: number): Resource {
  const resource: Resource = { url: learned.url, type: learned.type, weight, extra: { learned: true } };
  if (learned.crossorigin) resource.crossorigin = learned.crossorigin;
  if (learned.rel) resource.rel = learned.rel;
  return resource;
}

/** Re-weigh a page's list in its current order (highest first), so the order survives every format. */
function reweigh(list: Resource[]): Resource[] {
  return list.map((r, i) => ({ ...r, weight: weightAt(i) }));
}

/**
 * Add learned resources to the entry of `route` (created when missing), after what it already
 * lists, in the order they were requested. URLs already listed are left as they are. Returns how
 * many were added.
 */
export function addLearned(manifest: Manifest, route: string, learned: readonly LearnedResource[]): number {
  const list = [...(manifest.pages.get(route) ?? [])];
  const have = new Set(list.map((r) => r.url));
  let added = 0;
  for (const item of learned) {
    if (have.has(item.url)) continue;
    have.add(item.url);
    list.push(asResource(item, 1));
    added++;
  }
  if (added > 0) manifest.pages.set(route, reweigh(list));
  return added;
}

/**
 * Carry the learned entries of a previous manifest (the one `generate` is about to overwrite)
 * into a freshly crawled one: appended to the same page's list unless the crawl now lists the URL
 * itself. Pages the crawl no longer has are dropped with their learned entries. Returns how many
 * were kept.
 */
export function keepLearned(fresh: Manifest, previous: Manifest): number {
  let kept = 0;
  for (const [key, list] of previous.pages) {
    const learned = list.filter(isLearned);
    if (learned.length === 0) continue;
    // A single-page manifest (`*`) applies to every page: so do its learned entries.
    const routes = key === ANY_PAGE ? [...fresh.pages.keys()] : fresh.pages.has(key) ? [key] : [];
    for (const route of routes) {
      const target = fresh.pages.get(route)!;
      const have = new Set(target.map((r) => r.url));
      const extra = learned.filter((r) => !have.has(r.url));
      if (extra.length === 0) continue;
      fresh.pages.set(route, reweigh([...target, ...extra]));
      kept += extra.length;
    }
  }
  return kept;
}
