/**
 * `link`: the ready-made `Link` value of each route, as `route<TAB>value` lines or as JSON
 * (`{ "route": "value" }`), for servers and scripts this tool has no writer for.
 */
import type { Manifest } from '../manifest/model.js';
import { DEFAULT_LINK_HEADER_MAX } from '../runtime/route-table.js';
import { exportRoutes } from './routes.js';
import type { ExportOptions, ExportResult } from './types.js';

/** The Link value per route, in manifest order (routes without links left out). */
export function exportLink(manifest: Manifest, options: ExportOptions = {}): ExportResult {
  const exported = exportRoutes(manifest, { linkHeaderMax: options.linkHeaderMax ?? DEFAULT_LINK_HEADER_MAX, push: options.push === true, target: 'link' });
  const routes = exported.routes.filter((route) => route.header !== '');
  const text =
    options.json === true
      ? `${JSON.stringify(Object.fromEntries(routes.map((route) => [route.key, route.header])), null, 2)}\n`
      : routes.map((route) => `${route.key}\t${route.header}\n`).join('');
  return { text, warnings: exported.warnings };
}
