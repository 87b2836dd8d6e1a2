/**
 * `push-manifest inspect <url>`: flags in, `inspectUrl` + `compareWithManifest` out, printed as an
 * aligned timeline on stderr (or `--json` on stdout). Exit 1 when `--manifest` finds a mismatch.
 */
import { styleText } from 'node:util';
import { readManifestFile } from '@push-manifest/core/manifest';
import { compareWithManifest, inspectUrl, parseInspectUrl, CLOUDFLARE_LINK_LIMIT, NGINX_HEADER_BUFFER } from '@push-manifest/core/inspect';
import type { InspectProblem, InspectReport, ManifestComparison, SeenLink, SeenNavigation } from '@push-manifest/core/inspect';
import { EXIT, ExitError } from '../exit.js';
import type { Output } from '../output.js';

/** The flags commander hands us (see main.ts). */
export interface InspectFlags {
  manifest?: string;
  json?: boolean;
  insecure?: boolean;
  h1?: boolean;
  h2c?: boolean;
  repeat?: boolean;
  timeout?: string;
}

type Style = Parameters<typeof styleText>[0];
type Paint = (style: Style, text: string) => string;

/** Pad every column but the last to its widest cell. */
function table(rows: string[][], indent = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visible(cell).length)));
  return rows.map((row) => indent + row.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - visible(cell).length))).join('  ').trimEnd());
}

// eslint-disable-next-line no-control-regex
const visible = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');
const ms = (at: number | undefined) => (at === undefined ? '-' : `${at.toFixed(1)} ms`);
const bytes = (n: number) => (n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KiB`);

function linkRows(links: readonly SeenLink[]): string[][] {
  return links.map((link) => {
    const rest = Object.entries(link.params)
      .filter(([name]) => name !== 'rel' && name !== 'as')
      .map(([name, value]) => (value === '' ? name : `${name}=${value}`));
    return [link.url, link.rel.join(' '), link.as ?? '', rest.join(' ')];
  });
}

function printNavigation(nav: SeenNavigation, page: string, lines: string[], paint: Paint): void {
  lines.push(paint('bold', `${nav.label === 'first' ? 'navigation' : `repeat (${nav.label})`}  ${nav.protocol}${nav.request.cookie ? `  cookie: ${nav.request.cookie}` : ''}`));
  const events: string[][] = [];
  for (const hint of nav.earlyHints) {
    events.push([ms(hint.at), paint('cyan', '103'), `${hint.links.length} link${hint.links.length === 1 ? '' : 's'}`]);
  }
  for (const push of nav.pushes) {
    const fate = push.cancelled === 'client' ? paint('yellow', 'cancelled by this client') : push.cancelled === 'server' ? paint('red', 'reset by the server') : `done ${ms(push.finishedAt)}`;
    events.push([ms(push.promisedAt), paint('magenta', 'PUSH'), push.path, String(push.status ?? '-'), push.contentType ?? '-', bytes(push.bytes), fate]);
  }
  events.push([ms(nav.responseAt), paint(nav.status < 400 ? 'green' : 'red', 'PAGE'), page, String(nav.status), nav.contentType ?? '-', bytes(nav.bodyBytes), `done ${ms(nav.finishedAt)}`]);
  // Events in the order they arrived (times are from the request start).
  events.sort((a, b) => parseFloat(a[0] as string) - parseFloat(b[0] as string));
  lines.push(...table(events));
  nav.earlyHints.forEach((hint, i) => {
    lines.push(`  103${nav.earlyHints.length > 1 ? ` #${i + 1}` : ''} links:`);
    lines.push(...table(linkRows(hint.links), '    '));
  });
  const rows = linkRows(nav.links);
  // The usual case, a 103 that announces the final Link header, is printed once.
  const same = nav.earlyHints.length > 0 && JSON.stringify(rows) === JSON.stringify(linkRows(nav.earlyHints[nav.earlyHints.length - 1]?.links ?? []));
  lines.push(`  Link header (${bytes(nav.summary.linkHeaderBytes)}):${nav.links.length === 0 ? ' none' : same ? ' the same links as the 103' : ''}`);
  if (!same) lines.push(...table(rows, '    '));
  const digest = nav.cookies.filter((cookie) => cookie.digest);
  lines.push(
    ...table([
      ['vary', nav.vary ?? '-'],
      ['cache-control', nav.cacheControl ?? '-'],
      ['set-cookie', digest.length > 0 ? digest.map((c) => `${c.name}=${c.value ?? ''} (cache digest)`).join(', ') : nav.cookies.length > 0 ? nav.cookies.map((c) => c.name).join(', ') : '-'],
    ]),
  );
  const s = nav.summary;
  const limit = (size: number, max: number, name: string) => (size > max ? paint('red', `over ${name}`) : `under ${name}`);
  lines.push(
    ...table([
      ['pushed', `${s.pushed.length} (${bytes(s.bytesPushed)})`, s.pushed.join(' ')],
      ['hinted only', String(s.hintedOnly.length), s.hintedOnly.join(' ')],
      ['Link header', bytes(s.linkHeaderBytes), limit(s.linkHeaderBytes, CLOUDFLARE_LINK_LIMIT, `Cloudflare's ~${CLOUDFLARE_LINK_LIMIT} B`)],
      ['response header', bytes(s.responseHeaderBytes), limit(s.responseHeaderBytes, NGINX_HEADER_BUFFER, `nginx's proxy_buffer_size ${NGINX_HEADER_BUFFER} B`)],
    ]),
  );
  // Several of one kind read better as one line (a server that pushes everything it hints says so once).
  const byKind = new Map<string, InspectProblem[]>();
  for (const problem of s.problems) byKind.set(problem.kind, [...(byKind.get(problem.kind) ?? []), problem]);
  for (const [kind, problems] of byKind) {
    const first = problems[0] as InspectProblem;
    const tag = first.severity === 'error' ? paint('red', 'problem') : paint('yellow', 'warning');
    const grouped = GROUPED[kind];
    if (problems.length > 1 && grouped !== undefined) lines.push(`  ${tag} ${grouped}: ${problems.map((p) => p.url).join(', ')}`);
    else for (const problem of problems) lines.push(`  ${tag} ${problem.message}`);
  }
}

function printReport(report: InspectReport, comparison: ManifestComparison | undefined, manifestName: string | undefined, paint: Paint): string[] {
  const lines = [paint('bold', `GET ${report.url}`)];
  const page = new URL(report.url).pathname;
  for (const nav of report.navigations) printNavigation(nav, page, lines, paint);
  for (const diff of report.repeat) {
    lines.push(paint('bold', `repeat on the ${diff.label === 'same-connection' ? 'same connection' : 'new connection (with the cookies set)'}`));
    lines.push(...table([
      ['pushed again', String(diff.pushedAgain.length), diff.pushedAgain.join(' ')],
      ['not pushed again', String(diff.notPushedAgain.length), diff.notPushedAgain.join(' ')],
      ['newly pushed', String(diff.newlyPushed.length), diff.newlyPushed.join(' ')],
    ]));
  }
  if (comparison !== undefined) {
    lines.push(paint('bold', `manifest ${manifestName ?? ''}: route ${comparison.route ?? '(none matches this path)'}, ${comparison.expected.length} resources`));
    if (comparison.mismatches.length === 0) lines.push(`  ${paint('green', 'matches')}`);
    lines.push(...table(comparison.mismatches.map((m) => [paint(m.kind === 'out-of-order' ? 'yellow' : 'red', m.kind), m.message])));
    if (!comparison.ok) lines.push(paint('red', 'mismatch: the server does not hint what the manifest lists'));
  }
  return lines;
}

/** One-line wording for several problems of a kind. */
const GROUPED: Partial<Record<string, string>> = {
  'pushed-and-hinted': 'pushed and also hinted without nopush (a proxy that pushes from Link headers would push them again)',
  'hinted-twice': 'hinted twice',
  'pushed-twice': 'pushed twice for one page',
  'font-without-crossorigin': 'fonts hinted without crossorigin (fetched in CORS mode: the browser downloads them twice)',
  'push-failed': 'pushes that failed',
};

function timeoutFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 600_000) throw new ExitError(EXIT.USAGE, `--timeout must be a whole number of ms from 1 to 600000, got ${JSON.stringify(value)}`);
  return n;
}

/** Run `inspect`; resolves with the exit code. */
export async function inspect(urlArg: string, flags: InspectFlags, out: Output, stderr: NodeJS.WriteStream = process.stderr): Promise<number> {
  const url = parseInspectUrl(urlArg);
  if (flags.h1 && flags.h2c) throw new ExitError(EXIT.USAGE, '--h1 and --h2c cannot be used together');
  const timeout = timeoutFlag(flags.timeout);
  // Read the manifest before the network: a bad file is a usage error, found at once.
  const manifest = flags.manifest === undefined ? undefined : await readManifestFile(flags.manifest);
  const report = await inspectUrl({
    url: url.href,
    insecure: flags.insecure === true,
    protocol: flags.h1 ? 'h1' : flags.h2c ? 'h2c' : 'auto',
    repeat: flags.repeat === true,
    ...(timeout === undefined ? {} : { timeout }),
  });
  const first = report.navigations[0] as SeenNavigation;
  const comparison = manifest === undefined ? undefined : compareWithManifest(manifest, url.pathname + url.search, first);
  if (flags.json) {
    out.data(JSON.stringify({ ...report, ...(comparison ? { manifest: { file: flags.manifest, ...comparison } } : {}) }, null, 2));
  } else {
    // hasColors() honours NO_COLOR, FORCE_COLOR and TERM; Node 20's styleText does not check itself.
    const colour = stderr.isTTY === true && typeof stderr.hasColors === 'function' && stderr.hasColors();
    const paint: Paint = (style, text) => (colour ? styleText(style, text) : text);
    for (const line of printReport(report, comparison, flags.manifest, paint)) out.info(line);
  }
  return comparison !== undefined && !comparison.ok ? EXIT.PROBLEMS : EXIT.OK;
}
