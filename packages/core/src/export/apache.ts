/**
 * Apache httpd (mod_headers, mod_http2): one `<LocationMatch>` per page with an exact regex over
 * its request paths (`<Location>` is a prefix match, so `/about/` would also hint its assets),
 * `Header add Link`; with `earlyHints`, `H2EarlyHints on` and `H2EarlyHint Link` (2.4.58+) with
 * the same value, from which mod_http2 also pushes (what is not `nopush`); with `push` alone,
 * `H2PushResource`. The pushes and the hints come from the same list.
 */
import type { Manifest } from '../manifest/model.js';
import { DEFAULT_LINK_HEADER_MAX } from '../runtime/route-table.js';
import { ANY_PAGE_REGEX, exactRegex, excludingRegex, quoted } from './escape.js';
import { exportRoutes, provenance, type ExportRoute } from './routes.js';
import { decodedPaths } from './server-paths.js';
import type { ExportOptions, ExportResult } from './types.js';
import { compareVersions } from './version.js';

/** The version written for when `targetVersion` is not given: Debian 12's. */
export const APACHE_DEFAULT_VERSION = '2.4.62';

/** Apache sets no limit of its own on a response header; the runtime's 4 KB, for the proxies and CDNs in front of it. */
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
  } else if (earlyHints && !earlyHintHeader) {
    warnings.push(
      push
        ? `Apache ${version} has no H2EarlyHint (2.4.58): its 103 lists only the H2PushResource URLs, without as= (which browsers need to use them)`
        : `Apache ${version} sends 103 Early Hints only for H2PushResource (H2EarlyHint needs 2.4.58): use --push too`,
    );
  }
  const exported = exportRoutes(manifest, { linkHeaderMax: options.linkHeaderMax ?? APACHE_LINK_MAX, push, target: 'apache' });
  warnings.push(...exported.warnings);

  const lines = [
    `# ${provenance(options, 'Apache')}.`,
    `# Include it inside the <VirtualHost> that serves the site (Protocols h2 http/1.1; mod_http2, mod_headers), e.g.`,
    `#   Include /etc/apache2/conf-available/push-manifest.conf`,
    `# Written for Apache ${version}.`,
  ];
  // H2EarlyHints is allowed in server and virtual host context only.
  if (earlyHints) lines.push('H2EarlyHints on');
  // What the runtime tries first, each route must not take: literal pages, then patterns in
  // manifest order, then `*`. httpd applies every matching <LocationMatch>, so each is fenced off.
  const literal = new Map<ExportRoute, string>();
  for (const route of exported.routes) {
    if (route.kind !== 'literal') continue;
    const paths = decodedPaths(route, 'apache', warnings);
    if (paths.length > 0) literal.set(route, exactRegex(paths));
  }
  const taken = [...literal.values()];
  const patterns = exported.routes.filter((route) => route.kind === 'pattern').map((route) => route.key);
  for (const route of exported.routes) {
    let regex: string;
    if (route.kind === 'literal') {
      const exact = literal.get(route);
      if (exact === undefined) continue;
      regex = exact;
    } else if (route.kind === 'pattern') {
      regex = excludingRegex(route.key, [...taken, ...patterns.slice(0, patterns.indexOf(route.key))]);
    } else {
      regex = excludingRegex(ANY_PAGE_REGEX, [...taken, ...patterns]);
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
  if (earlyHints && earlyHintHeader) {
    // mod_http2 pushes what a 103 link names unless it says nopush, so the 103 carries the same
    // value as the Link header: with push, pushable links bare (pushed before the response even
    // starts), the rest nopush. H2PushResource would add its own links to the 103, without `as`.
    if (route.header !== '') body.push(`    H2EarlyHint Link ${quoted(route.header)}`);
    // mod_http2 pushes from rel=preload links only, never rel=modulepreload: those need H2PushResource.
    if (push) {
      const modules = new Set(route.links.filter((link) => link.resource?.rel === 'modulepreload').map((link) => link.url));
      for (const url of route.pushes) if (modules.has(url)) body.push(`    H2PushResource ${quoted(url)}`);
    }
  } else if (push) {
    for (const url of route.pushes) body.push(`    H2PushResource ${quoted(url)}`);
  }
  return body;
}
