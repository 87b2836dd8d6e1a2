/**
 * h2o 2.2: h2o's `paths` are prefix matches (`/about/` would hint every asset under it), so the
 * exact match is an `mruby.handler` with a table of request path → Link value that returns 399
 * (h2o: "go on to the next handler, with these headers"). h2o pushes what the Link header names
 * with `rel=preload` and without `nopush` (`http2-push-preload`, on by default), so `push` is the
 * Link value itself; `rel=modulepreload` links are never pushed by h2o.
 */
import type { Manifest } from '../manifest/model.js';
import { DEFAULT_LINK_HEADER_MAX } from '../runtime/route-table.js';
import { ANY_PAGE_REGEX } from './escape.js';
import { decodePath, exportRoutes, provenance } from './routes.js';
import type { ExportOptions, ExportResult } from './types.js';

/** The version written for when `targetVersion` is not given: Debian 12's. */
export const H2O_DEFAULT_VERSION = '2.2';

/** A Ruby single-quoted string: only `\` and `'` are special in it (no `#{}` interpolation). */
function ruby(text: string): string {
  return `'${text.replace(/[\\']/g, '\\$&')}'`;
}

/** The h2o path-level lines for a manifest, to paste before `file.dir` in the path that serves the site. */
export function exportH2o(manifest: Manifest, options: ExportOptions = {}): ExportResult {
  const version = options.targetVersion ?? H2O_DEFAULT_VERSION;
  const push = options.push === true;
  const warnings: string[] = [];
  if (options.earlyHints === true) warnings.push(`h2o ${version} sends 103 Early Hints only from an mruby handler calling them itself; not written`);
  const exported = exportRoutes(manifest, { linkHeaderMax: options.linkHeaderMax ?? DEFAULT_LINK_HEADER_MAX, push, target: 'h2o' });
  warnings.push(...exported.warnings);
  if (push) {
    const withModules = exported.routes.filter((route) => route.links.some((link) => link.pushable && link.resource?.rel === 'modulepreload'));
    if (withModules.length > 0) {
      warnings.push(`h2o pushes only rel=preload links: the modulepreload entries of ${withModules.map((route) => route.key).join(', ')} are hinted, not pushed`);
    }
  }

  const literal: string[] = [];
  const patterns: string[] = [];
  let anyPage: string | undefined;
  const seen = new Set<string>();
  for (const route of exported.routes) {
    if (route.header === '') continue;
    if (route.kind === 'literal') {
      // Both spellings: h2o hands PATH_INFO to mruby as the client sent it.
      for (const path of route.paths) {
        for (const form of new Set([path, decodePath(path) ?? path])) {
          if (seen.has(form)) continue;
          seen.add(form);
          literal.push(`    ${ruby(form)} => ${ruby(route.header)},`);
        }
      }
    } else if (route.kind === 'pattern') {
      patterns.push(`    [Regexp.new(${ruby(route.key)}), ${ruby(route.header)}],`);
    } else {
      anyPage = route.header;
    }
  }
  // Everything inside a block: h2o runs all mruby handlers in one interpreter, and top-level
  // locals of one handler would be seen (and overwritten) by the next.
  const code = [
    '  proc do',
    '    links = {',
    ...literal.map((line) => `  ${line}`),
    '    }',
    '    patterns = [',
    ...patterns.map((line) => `  ${line}`),
    '    ]',
    `    any_page = ${anyPage === undefined ? 'nil' : ruby(anyPage)}`,
    `    any_page_path = Regexp.new(${ruby(ANY_PAGE_REGEX)})`,
    '    lambda do |env|',
    "      path = env['PATH_INFO']",
    '      link = links[path]',
    // Plain mruby 1.x: no block-argument destructuring, no `&.`.
    '      hit = link ? nil : patterns.find { |pair| pair[0].match(path) }',
    '      link ||= hit[1] if hit',
    '      link ||= any_page if any_page && any_page_path.match(path)',
    "      link ? [399, { 'link' => link }, []] : [399, {}, []]",
    '    end',
    '  end.call',
  ];
  const lines = [
    `# ${provenance(options, 'h2o')}.`,
    '# Paste these lines into the path of h2o.conf that serves the site, before its file.dir:',
    '#   paths:',
    '#     "/":',
    '#       <these lines>',
    '#       file.dir: /var/www/site',
    `# Written for h2o ${version} (built with mruby, as Debian's is).`,
  ];
  if (push) lines.push('# h2o pushes what the Link header lists without nopush; to skip what the browser already has:', '# http2-casper: ON');
  lines.push('mruby.handler: |', ...code);
  return { text: `${lines.join('\n')}\n`, warnings };
}
