/**
 * The http2-push-manifest single-page format: `{ "/css/app.css": { "type": "style", "weight": 1 } }`.
 * It names no page, so it reads into the one route {@link ANY_PAGE}.
 */
import { ANY_PAGE, type Manifest } from '../model.js';
import { PushManifestError } from '../../errors.js';
import { readPageEntries, renderPageEntries } from './entries.js';
import type { ReadContext } from './context.js';

/** Read a single-format object (already known to be a JSON object). An empty object is an empty manifest. */
export function readSingle(json: Record<string, unknown>, context: ReadContext): Manifest {
  const { resources, preconnect } = readPageEntries(json, [], context);
  const manifest: Manifest = { pages: new Map() };
  if (resources.length > 0 || preconnect.length > 0) manifest.pages.set(ANY_PAGE, resources);
  if (preconnect.length > 0) manifest.preconnect = new Map([[ANY_PAGE, preconnect]]);
  return manifest;
}

/**
 * Write the single format. The format has room for one page: a manifest with more is refused
 * (`BAD_OPTION`) rather than merged, because merging would push one page's files with another.
 */
export function writeSingle(manifest: Manifest, routes: readonly string[]): string {
  if (routes.length > 1) {
    throw new PushManifestError(
      'BAD_OPTION',
      `the single format holds one page, and this manifest has ${routes.length} (${routes.slice(0, 3).join(', ')}${routes.length > 3 ? ', …' : ''}): write multi or polymer instead`,
    );
  }
  const route = routes[0];
  if (route === undefined) return '{}\n';
  return `${renderPageEntries(manifest.pages.get(route) ?? [])}\n`;
}
