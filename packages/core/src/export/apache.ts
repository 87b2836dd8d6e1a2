/**
 * Apache httpd (mod_headers, mod_http2): one `<LocationMatch>` per page with an exact regex over
 * its request paths (`<Location>` is a prefix match, so `/about/` would also hint its assets),
 * `Header add Link`, and with `push` `H2PushResource`, with `earlyHints` `H2EarlyHints on` and
 * `H2EarlyHint Link` (2.4.58+): the pushes and the hints come from the same list.
 */
import type { Manifest } from '../manifest/model.js';
import { DEFAULT_LINK_HEADER_MAX } from '../runtime/route-table.js';
import { ANY_PAGE_REGEX, exactRegex, quoted } from './escape.js';
import { exportRoutes, provenance, type ExportRoute } from './routes.js';
import { decodedPaths } from './server-paths.js';
import type { ExportOptions, ExportResult } from './types.js';
import { compareVersions } from './version.js';

/** The version written for when `targetVersion` is not given: Debian 12's. */
export const APACHE_DEFAULT_VERSION = '2.4.62';

/** Apache's cap: its own limit is 8 KB per header line (LimitRequestFieldSize is for requests); the runtime's 4 KB for proxies and CDNs. */
export const APACHE_LINK_MAX = DEFAULT_LINK_HEADER_MAX;

/** mod_headers reads `%` as the start of a format tag (`%{VAR}e`, `%t`): a literal one is `%%`. */
function headerValue(value: string): string {
  return quoted(value.replace(/%/g, '%%'));
}

/** The Apache snippet for a manifest, to `Include` inside the `<VirtualHost>` that serves the site. */
export function exportApache(manifest: Manifest, options: ExportOptions = {}): ExportResult {
  const version = options.targetVersion ?? APACHE_DEFAULT_VERSION;
  const warnings: string[] = [];
  const push = options.push === true;
  let earlyHints = options.earlyHints === true;
  // H2EarlyHint (a header for the 103 alone) came in 2.4.58; before it only H2PushResource fed the 103.
  const earlyHintHeader = compareVersions(version, '2.4.58') >= 0;
  if (earlyHints && compareVersions(version, '2.4.24') < 0) {
    warnings.push(`Apache ${version} cannot send 103 Early Hints (H2EarlyHints needs 2.4.24): not written`);
    earlyHints = false;
  } else if (earlyHints && !earlyHintHeader && !push) {
    warnings.push(`Apache ${version} sends 103 Early Hints only for H2PushResource (H2EarlyHint needs 2.4.58): use --push too`);
  }
  const exported = exportRoutes(manifest, { linkHeaderMax: options.linkHeaderMax ?? APACHE_LINK_MAX, push, target: 'apache' });
  warnings.push(...exported.warnings);

  const lines = [
    `# ${provenance(options, 'Apache')}.`,
    `# Include it inside the <VirtualHost> that serves the site (Protocols h2 http/1.1; mod_http2, mod_headers), e.g.`,
    `#   Include /etc/apache2/conf-available/push-manifest.conf`,
    `# Written for Apache ${version}.`,
  ];
  for (const route of exported.routes) {
    let regex: string;
    if (route.kind === 'literal') {
      const paths = decodedPaths(route, 'apache', warnings);
      if (paths.length === 0) continue;
      regex = exactRegex(paths);
    } else {
      regex = route.kind === 'any' ? ANY_PAGE_REGEX : route.key;
    }
    const body = locationBody(route, push, earlyHints, earlyHintHeader);
    if (body.length === 0) continue;
    lines.push('', `# ${route.key}`, `<LocationMatch ${quoted(regex)}>`, ...body, '</LocationMatch>');
  }
  return { text: `${lines.join('\n')}\n`, warnings };
}

function locationBody(route: ExportRoute, push: boolean, earlyHints: boolean, earlyHintHeader: boolean): string[] {
  const body: string[] = [];
  if (route.header !== '') body.push(`    Header add Link ${headerValue(route.header)}`);
  const pushed = new Set(push ? route.pushes : []);
  for (const url of pushed) body.push(`    H2PushResource ${quoted(url)}`);
  if (earlyHints) {
    body.push('    H2EarlyHints on');
    // H2PushResource links already go into the 103; the rest (preconnects, nopush) are added here.
    const rest = route.links.filter((link) => !pushed.has(link.url) || link.resource === undefined).map((link) => link.value);
    if (earlyHintHeader && rest.length > 0) body.push(`    H2EarlyHint Link ${quoted(rest.join(', '))}`);
  }
  return body;
}
