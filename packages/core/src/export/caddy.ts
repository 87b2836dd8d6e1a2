/**
 * Caddy 2 (Caddyfile): a named `path` matcher per page (exact unless it has `*`) over its
 * request paths, `header` adding the Link value, and with `push` a `push` block naming the
 * pushable resources.
 */
import type { Manifest } from '../manifest/model.js';
import { DEFAULT_LINK_HEADER_MAX } from '../runtime/route-table.js';
import { ANY_PAGE_REGEX, exactRegex } from './escape.js';
import { exportRoutes, provenance } from './routes.js';
import { decodedPaths } from './server-paths.js';
import type { ExportOptions, ExportResult } from './types.js';

/** The version written for when `targetVersion` is not given: Debian 12's. */
export const CADDY_DEFAULT_VERSION = '2.6';

/**
 * A Caddyfile token: quoted, `{`/`}` escaped so Caddy does not read a placeholder. Inside quotes
 * the Caddyfile lexer knows only `\"`; every other backslash is kept as written.
 */
function token(text: string): string {
  return regexToken(text.replace(/[{}]/g, '\\$&'));
}

/** A regex as a Caddyfile token: its braces are escaped already (`\{` is a literal brace to RE2 and to Caddy's placeholder replacer). */
function regexToken(regex: string): string {
  return `"${regex.replace(/"/g, '\\"')}"`;
}

/** The Caddyfile lines for a manifest, to paste inside the site block that serves the site. */
export function exportCaddy(manifest: Manifest, options: ExportOptions = {}): ExportResult {
  const version = options.targetVersion ?? CADDY_DEFAULT_VERSION;
  const push = options.push === true;
  const warnings: string[] = [];
  if (options.earlyHints === true) warnings.push(`Caddy ${version} sends 103 Early Hints only when a proxied backend sends them; not written`);
  // Caddy's push handler pushes its own list and also every Link entry without nopush: the Link
  // value stays all-nopush so each resource is pushed once, from the list.
  const exported = exportRoutes(manifest, { linkHeaderMax: options.linkHeaderMax ?? DEFAULT_LINK_HEADER_MAX, push: false, target: 'caddy' });
  warnings.push(...exported.warnings);

  const lines = [
    `# ${provenance(options, 'Caddy')}.`,
    '# Paste these lines inside the site block that serves the site (the one with file_server), or `import` the file there.',
    `# Written for Caddy ${version}. Caddy's path matcher ignores case.`,
  ];
  let n = 0;
  for (const route of exported.routes) {
    if (route.header === '') continue;
    let matcher: string;
    if (route.kind === 'literal') {
      const paths = decodedPaths(route, 'caddy', warnings);
      // `*` is Caddy's wildcard: a path with one can only be matched exactly by regex.
      const plain = paths.filter((path) => !path.includes('*'));
      const starred = paths.filter((path) => path.includes('*'));
      if (plain.length === 0 && starred.length === 0) continue;
      matcher = starred.length === 0 ? `path ${plain.map(token).join(' ')}` : `path_regexp ${regexToken(exactRegex(paths))}`;
    } else {
      matcher = `path_regexp ${regexToken(route.kind === 'any' ? ANY_PAGE_REGEX : route.key)}`;
    }
    const name = `@push_manifest_${n++}`;
    lines.push('', `# ${route.key}`, `${name} ${matcher}`, `header ${name} +Link ${token(route.header)}`);
    if (push && route.pushes.length > 0) {
      lines.push(`push ${name} {`, ...route.pushes.map((url) => `\tGET ${token(url)}`), '}');
    }
  }
  return { text: `${lines.join('\n')}\n`, warnings };
}

