/**
 * Caddy 2 (Caddyfile): a named `path` matcher per page (exact unless it has `*`) over its
 * request paths, `header` adding the Link value, and with `push` a `push` block naming the
 * pushable resources.
 */
import type { Manifest } from '../manifest/model.js';
import { DEFAULT_LINK_HEADER_MAX } from '../runtime/route-table.js';
import { ANY_PAGE_REGEX, exactRegex } from './escape.js';
import { exportRoutes, provenance, type ExportRoute } from './routes.js';
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
  // Caddy applies every matching `header`, where the runtime picks one route (literal pages, then
  // patterns in manifest order, then `*`): pattern and `*` matchers exclude what comes first.
  const literal = new Map<ExportRoute, string>();
  for (const route of exported.routes) {
    if (route.kind !== 'literal' || route.header === '') continue;
    const paths = decodedPaths(route, 'caddy', warnings);
    // `*` is Caddy's wildcard: a path with one can only be matched exactly by regex.
    if (paths.length > 0) literal.set(route, paths.some((path) => path.includes('*')) ? `path_regexp ${regexToken(exactRegex(paths))}` : `path ${paths.map(token).join(' ')}`);
  }
  const patterns = exported.routes.filter((route) => route.kind === 'pattern' && route.header !== '').map((route) => route.key);
  let n = 0;
  for (const route of exported.routes) {
    if (route.header === '') continue;
    const matcher = literal.get(route);
    if (route.kind === 'literal' && matcher === undefined) continue;
    const name = `@push_manifest_${n++}`;
    lines.push('', `# ${route.key}`);
    if (matcher !== undefined) {
      lines.push(`${name} ${matcher}`);
    } else {
      const before = route.kind === 'pattern' ? patterns.slice(0, patterns.indexOf(route.key)) : patterns;
      lines.push(
        `${name} {`,
        `\tpath_regexp ${regexToken(route.kind === 'any' ? ANY_PAGE_REGEX : route.key)}`,
        ...[...literal.values()].map((matcher) => `\tnot ${matcher}`),
        ...before.map((regex) => `\tnot path_regexp ${regexToken(regex)}`),
        '}',
      );
    }
    lines.push(`header ${name} +Link ${token(route.header)}`);
    if (push && route.pushes.length > 0) {
      lines.push(`push ${name} {`, ...route.pushes.map((url) => `\tGET ${token(url)}`), '}');
    }
  }
  return { text: `${lines.join('\n')}\n`, warnings };
}

