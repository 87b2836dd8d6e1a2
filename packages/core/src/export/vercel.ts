/**
 * Vercel: `headers` rules in `vercel.json`, `source` a path-to-regexp pattern (`:name`, `(…)`,
 * `*`, `+`, `?`, `{…}` are syntax: each escaped with `\`). Pattern routes have no faithful
 * spelling there and are left out with a warning. Merged into an existing file, other keys kept.
 */
import type { Manifest } from '../manifest/model.js';
import { DEFAULT_LINK_HEADER_MAX } from '../runtime/route-table.js';
import { mergeRules, parseExisting, type HeaderRule } from './json-headers.js';
import { bothSpellings, exportRoutes } from './routes.js';
import type { ExportOptions, ExportResult } from './types.js';

/** A literal path as a path-to-regexp `source` that matches only it. */
export function vercelSource(path: string): string {
  return path.replace(/[:()*+?{}\\]/g, '\\$&');
}

/** `vercel.json` with the Link rules of a manifest (merged into `options.existing` when given). */
export function exportVercel(manifest: Manifest, options: ExportOptions = {}): ExportResult {
  const exported = exportRoutes(manifest, { linkHeaderMax: options.linkHeaderMax ?? DEFAULT_LINK_HEADER_MAX, push: options.push === true, target: 'vercel' });
  const warnings = [...exported.warnings];
  const rules: HeaderRule[] = [];
  for (const route of exported.routes) {
    if (route.header === '') continue;
    const headers = [{ key: 'Link', value: route.header }];
    if (route.kind === 'pattern') {
      warnings.push(`${route.key}: a regular-expression route has no exact vercel.json source pattern; left out`);
    } else if (route.kind === 'any') {
      warnings.push(`${route.key}: written as source "/(.*)", which Vercel also applies to assets, and to pages on top of their own rules`);
      rules.push({ source: '/(.*)', headers });
    } else {
      for (const path of bothSpellings(route.paths)) rules.push({ source: vercelSource(path), headers });
    }
  }
  const json = parseExisting(options.existing, 'vercel.json');
  const merged = { ...json, headers: mergeRules(json.headers, rules, 'vercel.json: headers') };
  return { text: `${JSON.stringify(merged, null, 2)}\n`, warnings };
}
