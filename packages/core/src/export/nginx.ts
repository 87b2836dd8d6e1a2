/**
 * nginx: one exact `location = …` per request path of each page (regex `location ~` for
 * pattern routes), each adding the Link header with `add_header … always`, and with `push`,
 * `http2_push` lines (nginx 1.13.9 to 1.25.0).
 */
import type { Manifest } from '../manifest/model.js';
import { DEFAULT_LINK_HEADER_MAX } from '../runtime/route-table.js';
import { ANY_PAGE_REGEX, quoted } from './escape.js';
import { exportRoutes, provenance, type ExportRoute } from './routes.js';
import { decodedPaths } from './server-paths.js';
import type { ExportOptions, ExportResult } from './types.js';
import { compareVersions } from './version.js';

/** The version written for when `targetVersion` is not given: Debian 12's. */
export const NGINX_DEFAULT_VERSION = '1.22';

/**
 * nginx as the Link header's cap: it has no limit of its own on response headers, but proxies in
 * front of it do (nginx's own `proxy_buffer_size` is 4 KB or 8 KB), so the runtime's 4 KB.
 */
export const NGINX_LINK_MAX = DEFAULT_LINK_HEADER_MAX;

/** The nginx snippet for a manifest, to `include` inside the `server { }` block that serves the site. */
export function exportNginx(manifest: Manifest, options: ExportOptions = {}): ExportResult {
  const version = options.targetVersion ?? NGINX_DEFAULT_VERSION;
  const warnings: string[] = [];
  let push = options.push === true;
  if (push && (compareVersions(version, '1.25.1') >= 0 || compareVersions(version, '1.13.9') < 0)) {
    warnings.push(`nginx ${version} has no http2_push (1.13.9 to 1.25.0 only): pushes not written, Link headers only`);
    push = false;
  }
  const earlyHints = options.earlyHints === true && compareVersions(version, '1.29') >= 0;
  if (options.earlyHints === true && !earlyHints) {
    warnings.push(`nginx ${version} cannot send 103 Early Hints (early_hints needs 1.29): not written`);
  }
  const exported = exportRoutes(manifest, {
    linkHeaderMax: options.linkHeaderMax ?? NGINX_LINK_MAX,
    push,
    target: 'nginx',
    // nginx expands `$name` in add_header and http2_push values and has no escape for `$`.
    refuse: { test: (url) => url.includes('$'), reason: 'nginx has no escape for "$" in a header value' },
  });
  warnings.push(...exported.warnings);

  const lines = [
    `# ${provenance(options, 'nginx')}.`,
    `# Include it inside the server { } block that serves the site (listen … ssl http2;), e.g.`,
    `#   include /etc/nginx/snippets/push-manifest.conf;`,
    `# Written for nginx ${version}. add_header here replaces any add_header of the server block for these paths.`,
  ];
  if (earlyHints) lines.push(`early_hints $http2$http3;`);
  for (const route of exported.routes) {
    if (route.header === '' && (!push || route.pushes.length === 0)) continue;
    const body = locationBody(route, push);
    if (route.kind === 'literal') {
      for (const path of decodedPaths(route, 'nginx', warnings)) {
        lines.push('', `location = ${quoted(path)} {`, ...body, '}');
      }
    } else {
      const regex = route.kind === 'any' ? ANY_PAGE_REGEX : route.key;
      lines.push('', `# ${route.key}`, `location ~ ${quoted(regex)} {`, ...body, '}');
    }
  }
  return { text: `${lines.join('\n')}\n`, warnings };
}

function locationBody(route: ExportRoute, push: boolean): string[] {
  const body: string[] = [];
  if (route.header !== '') body.push(`    add_header Link ${quoted(route.header)} always;`);
  if (push) for (const url of route.pushes) body.push(`    http2_push ${quoted(url)};`);
  return body;
}
