/**
 * `check`: does a manifest still match the site it was made from? Crawl the site again with the
 * same options and compare, route by route, as the server would route each page. Offline: the
 * site on disk, no server. Loads the crawler, so it is exported from the package root, not from
 * `./inspect`.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { generateManifest, type CrawlWarning, type GenerateOptions } from '../generate.js';
import type { ManifestFormat } from '../manifest/formats/detect.js';
import { legacyView } from '../manifest/formats/legacy.js';
import { checkManifestFiles } from '../manifest/check-files.js';
import { ANY_PAGE, isPatternKey, type Manifest, type Resource } from '../manifest/model.js';
import { normaliseBase } from '../crawl/resolve.js';
import { resourceLink } from '../runtime/link-header.js';
import { RouteTable } from '../runtime/route-table.js';
import { likelySuccessor } from './hashed-name.js';

/** One way the manifest and the site differ. */
export interface DriftItem {
  kind:
    /** A listed file is gone from disk, and nothing on disk looks like its new name. */
    | 'missing-file'
    /** A listed hashed file is gone and a file differing only in its hash is there: `successor`. */
    | 'renamed'
    /** A page of the site that no manifest route covers. */
    | 'page-not-in-manifest'
    /** A page the manifest lists that the site no longer has. */
    | 'page-gone'
    /** A resource the crawl finds for a route that the manifest lacks. */
    | 'new-resource'
    /** A listed file that exists but the crawl no longer finds the route using. */
    | 'unreferenced'
    /** Listed and found, but the link the manifest would send differs (`as`, `crossorigin`, `media`…). */
    | 'changed';
  /** The manifest route (for `page-not-in-manifest`, the crawled page). */
  route: string;
  url?: string;
  successor?: string;
  /** What is wrong, without the route and URL (a person reads them beside it). */
  message: string;
}

/** What {@link checkDrift} found. */
export interface DriftReport {
  /** True when nothing differs. */
  inSync: boolean;
  /** Pages the crawl found, routes the manifest has. */
  pages: { crawled: number; listed: number };
  items: DriftItem[];
  /** The crawl's own warnings (a broken reference in the site is not drift, but worth seeing). */
  warnings: CrawlWarning[];
}

/** The link parameters a resource is hinted with, as one comparable string (`nopush` is the server's business). */
function linkShape(resource: Resource): string {
  return resourceLink(resource, false)
    .params.map(([name, value]) => (value === undefined ? name : `${name}=${value}`))
    .join('; ');
}

/** Resources in first-seen order, one per URL. */
function union(lists: Iterable<readonly Resource[]>): Resource[] {
  const byUrl = new Map<string, Resource>();
  for (const list of lists) for (const resource of list) if (!byUrl.has(resource.url)) byUrl.set(resource.url, resource);
  return [...byUrl.values()];
}

/** URL paths of the files in the folder of `url` (for a successor of a missing file). */
async function siblings(root: string, base: string, url: string): Promise<string[]> {
  const path = url.replace(/[?#].*$/s, '');
  const folderUrl = path.slice(0, path.lastIndexOf('/') + 1);
  if (!folderUrl.startsWith(base)) return [];
  let folder: string;
  try {
    folder = join(root, decodeURIComponent(folderUrl.slice(base.length)));
  } catch {
    return [];
  }
  const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => folderUrl + encodeURIComponent(entry.name)).sort();
}

/** What {@link checkDrift} needs to know of the recorded manifest besides its content. */
export interface DriftOptions {
  /**
   * The format the manifest was read from. A legacy shape (`single`, `multi`, `polymer`) holds
   * only what its old readers use right, so the fresh crawl is seen through the same filter
   * (`legacyView`): a media-conditional sheet the shape could never hold is not drift.
   */
  format?: ManifestFormat;
}

/**
 * Crawl `options.root` with `options` and compare with `recorded`. Pass the options the manifest
 * was generated with (the CLI reads them from the same config file and flags as `generate`), and
 * the manifest file in `options.exclude` so it is not taken for a page.
 * @throws PushManifestError as {@link generateManifest} does.
 */
export async function checkDrift(recorded: Manifest, options: GenerateOptions, drift: DriftOptions = {}): Promise<DriftReport> {
  const crawl = await generateManifest(options);
  const { format } = drift;
  const fresh = format === undefined || format === 'v1' ? crawl : { ...crawl, manifest: legacyView(crawl.manifest, format).manifest };
  const base = normaliseBase(options.base);
  const table = RouteTable.fromManifest(recorded);
  const items: DriftItem[] = [];

  // Each crawled page goes to the route the server would answer it with; several pages can share
  // one (a pattern, or the single-page format's `*`), which is then compared with their union.
  const crawledByRoute = new Map<string, Resource[][]>();
  for (const [page, resources] of fresh.manifest.pages) {
    const route = table.match(page);
    if (route === undefined) {
      items.push({ kind: 'page-not-in-manifest', route: page, message: 'a page of the site, not in the manifest' });
      continue;
    }
    crawledByRoute.set(route.key, [...(crawledByRoute.get(route.key) ?? []), resources]);
  }

  // Files are resolved as a static server would (under the base, query dropped, decoded once).
  const local = (url: string) => url.startsWith(base) || (base === '/' && url.startsWith('/') && !url.startsWith('//'));
  const onDisk: Manifest = { pages: new Map() };
  for (const [key, resources] of recorded.pages) {
    onDisk.pages.set(key, resources.filter((r) => local(r.url)).map((r) => ({ ...r, url: `/${r.url.slice(base.length)}` })));
  }
  const missingOnDisk = new Set((await checkManifestFiles(onDisk, { root: options.root })).map((problem) => `${base}${String(problem.path?.[1] ?? '').slice(1)}`));

  for (const [key, resources] of recorded.pages) {
    const crawled = crawledByRoute.get(key);
    if (crawled === undefined && key !== ANY_PAGE && !isPatternKey(key)) {
      items.push({ kind: 'page-gone', route: key, message: 'in the manifest, no longer a page of the site' });
      continue;
    }
    const found = union(crawled ?? []);
    const foundByUrl = new Map(found.map((resource) => [resource.url, resource]));
    const listed = new Set(resources.map((resource) => resource.url));
    const successors = new Set<string>();
    for (const resource of resources) {
      if (missingOnDisk.has(resource.url)) {
        const unlisted = found.map((r) => r.url).filter((url) => !listed.has(url) && !successors.has(url));
        const successor = likelySuccessor(resource.url, [...unlisted, ...(await siblings(options.root, base, resource.url))]);
        if (successor !== undefined) {
          successors.add(successor);
          items.push({ kind: 'renamed', route: key, url: resource.url, successor, message: `no such file; likely successor ${successor} (same name, new hash)` });
        } else {
          items.push({ kind: 'missing-file', route: key, url: resource.url, message: 'no such file under the root' });
        }
      } else if (crawled !== undefined && local(resource.url) && !foundByUrl.has(resource.url)) {
        items.push({ kind: 'unreferenced', route: key, url: resource.url, message: 'listed, but the crawl no longer finds the page using it' });
      } else {
        const now = foundByUrl.get(resource.url);
        if (now !== undefined && linkShape(now) !== linkShape(resource)) {
          items.push({ kind: 'changed', route: key, url: resource.url, message: `listed as "${linkShape(resource)}", the crawl now gives "${linkShape(now)}"` });
        }
      }
    }
    for (const resource of found) {
      if (!listed.has(resource.url) && !successors.has(resource.url)) {
        items.push({ kind: 'new-resource', route: key, url: resource.url, message: 'the crawl finds it, the manifest lacks it' });
      }
    }
  }
  return { inSync: items.length === 0, pages: { crawled: fresh.manifest.pages.size, listed: recorded.pages.size }, items, warnings: fresh.warnings };
}
