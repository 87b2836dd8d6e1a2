/**
 * Firebase Hosting: `hosting.headers` rules in `firebase.json`, `source` a glob (`*`, `**`, `?`,
 * `[…]`, `{…}`, extglob `!(…)`: each escaped with `\`), `regex` (RE2) for pattern routes.
 * Merged into an existing file's `hosting` object; every other key is left as it was.
 */
import type { Manifest } from '../manifest/model.js';
import { PushManifestError } from '../errors.js';
import { DEFAULT_LINK_HEADER_MAX } from '../runtime/route-table.js';
import { ANY_PAGE_REGEX, exactRegex } from './escape.js';
import { mergeRules, parseExisting, type HeaderRule } from './json-headers.js';
import { bothSpellings, exportRoutes } from './routes.js';
import type { ExportOptions, ExportResult } from './types.js';

/** A literal path as a Firebase glob that matches only it. */
export function firebaseGlob(path: string): string {
  return path.replace(/[*?[\]{}()!+@\\]/g, '\\$&');
}

/** `firebase.json` with the Link rules of a manifest (merged into `options.existing` when given). */
export function exportFirebase(manifest: Manifest, options: ExportOptions = {}): ExportResult {
  const exported = exportRoutes(manifest, { linkHeaderMax: options.linkHeaderMax ?? DEFAULT_LINK_HEADER_MAX, push: options.push === true, target: 'firebase' });
  const warnings = [...exported.warnings];
  const rules: HeaderRule[] = [];
  for (const route of exported.routes) {
    if (route.header === '') continue;
    const headers = [{ key: 'Link', value: route.header }];
    if (route.kind === 'literal') {
      // One rule per page (a regex over its paths) keeps the file short.
      const paths = bothSpellings(route.paths);
      rules.push(paths.length === 1 ? { source: firebaseGlob(paths[0] as string), headers } : { regex: exactRegex(paths), headers });
    } else {
      if (route.kind === 'any' && exported.routes.length > 1) {
        warnings.push(`${route.key}: written as a regex for every page; Firebase applies it to pages on top of their own rules (RE2 cannot exclude them)`);
      }
      rules.push({ regex: route.kind === 'any' ? `^.*${ANY_PAGE_REGEX}` : route.key, headers });
    }
  }
  const file = 'firebase.json';
  const json = parseExisting(options.existing, file);
  const hosting = json.hosting ?? {};
  if (typeof hosting !== 'object' || hosting === null || Array.isArray(hosting)) {
    throw new PushManifestError('BAD_INPUT', `${file}: "hosting" is ${Array.isArray(hosting) ? 'an array (several sites): export into one site\'s config' : 'not an object'}, so the Link rules cannot be merged into it`);
  }
  const site = hosting as Record<string, unknown>;
  const merged = { ...json, hosting: { ...site, headers: mergeRules(site.headers, rules, `${file}: hosting.headers`) } };
  return { text: `${JSON.stringify(merged, null, 2)}\n`, warnings };
}
