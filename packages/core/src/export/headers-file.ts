/**
 * Netlify and Cloudflare Pages: a `_headers` file in the publish folder, one block per request
 * path (`/about/`, then an indented `Link: …` line). Both read `*` as a splat and `:name` as a
 * placeholder, and neither has regex paths, so pattern routes cannot be written.
 */
import type { Manifest } from '../manifest/model.js';
import { DEFAULT_LINK_HEADER_MAX } from '../runtime/route-table.js';
import { exportRoutes, provenance } from './routes.js';
import type { ExportOptions, ExportResult } from './types.js';

/** Cloudflare Pages: "an individual header … can have a maximum of 2,000 characters" (the whole `  Link: …` line). */
export const CLOUDFLARE_LINE_MAX = 2000;
/** Cloudflare Pages: "a _headers file can have a maximum of 100 header rules". */
export const CLOUDFLARE_RULES_MAX = 100;

const LINE_PREFIX = '  Link: ';

/** Which `_headers` dialect. */
export type HeadersFileTarget = 'netlify' | 'cloudflare';

/** The `_headers` file for a manifest. */
export function exportHeadersFile(manifest: Manifest, target: HeadersFileTarget, options: ExportOptions = {}): ExportResult {
  const name = target === 'netlify' ? 'Netlify' : 'Cloudflare Pages';
  const max = options.linkHeaderMax ?? (target === 'cloudflare' ? CLOUDFLARE_LINE_MAX - LINE_PREFIX.length : DEFAULT_LINK_HEADER_MAX);
  const exported = exportRoutes(manifest, { linkHeaderMax: max, push: options.push === true, target });
  const warnings = [...exported.warnings];
  if (options.earlyHints === true && target === 'netlify') warnings.push('Netlify does not send 103 Early Hints from _headers; Link headers only');
  const lines = [`# ${provenance(options, `${name} _headers`)}.`, '# Put it in the publish folder as _headers (merge it with one you have: both read one file).'];
  if (target === 'cloudflare') lines.push('# Cloudflare turns these Link headers into 103 Early Hints when Early Hints is on for the zone.');
  let rules = 0;
  const seen = new Set<string>();
  for (const route of exported.routes) {
    if (route.header === '') continue;
    if (route.kind === 'pattern') {
      warnings.push(`${route.key}: a regular-expression route cannot be written in ${name} _headers (only * splats and :placeholders); left out`);
      continue;
    }
    const paths = route.kind === 'any' ? ['/*'] : route.paths.filter((path) => expressible(route.key, path, name, warnings));
    if (route.kind === 'any') warnings.push(`${route.key}: written as /*, which ${name} also applies to assets, and to pages on top of their own rules`);
    lines.push('');
    for (const path of paths) {
      if (seen.has(path)) continue;
      seen.add(path);
      lines.push(path, `${LINE_PREFIX}${route.header}`);
      rules++;
    }
  }
  if (target === 'cloudflare' && rules > CLOUDFLARE_RULES_MAX) {
    warnings.push(`Cloudflare Pages reads at most ${CLOUDFLARE_RULES_MAX} _headers rules; this file has ${rules}, so the last ${rules - CLOUDFLARE_RULES_MAX} are ignored`);
  }
  return { text: `${lines.join('\n')}\n`, warnings };
}

/** Whether a literal path means itself in `_headers` (no splat, no placeholder segment, no space or `#`). */
function expressible(key: string, path: string, name: string, warnings: string[]): boolean {
  const reason = path.includes('*')
    ? 'has a "*", which _headers reads as a splat'
    : /\/:/.test(path)
      ? 'has a segment starting with ":", which _headers reads as a placeholder'
      : /[\s#]/.test(path)
        ? 'has a space or "#", which ends a _headers path'
        : undefined;
  if (reason === undefined) return true;
  warnings.push(`${key}: the path ${path} ${reason}; left out of ${name} _headers`);
  return false;
}
