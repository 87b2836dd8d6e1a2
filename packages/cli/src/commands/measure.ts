/**
 * `push-manifest measure --root <dir> | <url>`: flags in, core's `measure` out; with `--learn
 * --write` the learned files go into the manifest (atomically) and the site is measured again.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PushManifestError, detectFormat, readJsonFile, readManifestFile, writeManifestFile, writeFileAtomic, type Manifest } from '@push-manifest/core';
import { addLearned, loadSiteManifest, measure, type MeasureOptions, type MeasureResult, type PageMeasure } from '@push-manifest/core/measure';
import { buildReport, measuredSection, renderReportHtml, type SiteReport } from '@push-manifest/core/report';
import { makeDevCertificate } from '../dev-certificate.js';
import { EXIT } from '../exit.js';
import type { Output } from '../output.js';
import { positiveFlag } from './report.js';

/** Flags of `push-manifest measure`. */
interface MeasureFlags {
  root?: string;
  manifest?: string;
  pages?: string[];
  runs?: string;
  rtt?: string;
  down?: string;
  report?: string;
  json?: boolean;
  browser?: string;
  timeout?: string;
  learn?: boolean;
  write?: boolean;
}

function number(flag: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new PushManifestError('BAD_OPTION', `${flag} must be a number from ${min} to ${max}, got "${value}"`);
  return n;
}

const ms = (value: number | undefined) => (value === undefined ? '–' : `${value} ms`);

function pageLine(p: PageMeasure): string {
  if (p.error) return `${p.page}: not measured (${p.error})`;
  const g = p.gain;
  const gain = g.lcp === undefined ? '' : `, LCP ${g.lcp >= 0 ? '−' : '+'}${Math.abs(g.lcp)} ms (${Math.abs(g.lcpRtt ?? 0)} RTT ${g.lcp >= 0 ? 'earlier' : 'later'})`;
  return `${p.page}: LCP ${ms(p.plain.lcp)} → ${ms(p.hinted.lcp)}, FCP ${ms(p.plain.fcp)} → ${ms(p.hinted.fcp)}${gain}`;
}

function tell(result: MeasureResult, out: Output, learn: boolean): void {
  for (const p of result.pages) {
    out.info(pageLine(p));
    if (p.hinted.duplicates.length > 0) out.warn(`${p.page}: fetched twice with hints: ${p.hinted.duplicates.join(', ')} (a hint whose crossorigin or as does not match the request)`);
    if (p.unusedHints.length > 0) out.warn(`${p.page}: hinted but never used by the page: ${p.unusedHints.join(', ')}`);
    if (p.unhinted.length > 0) out.info(`${p.page}: render-critical, not hinted: ${p.unhinted.map((u) => u.url).join(', ')}`);
    if (learn) out.info(`${p.page}: learned ${p.learned?.length ? p.learned.map((l) => `${l.url} (${l.type})`).join(', ') : 'nothing'}`);
  }
}

/** The report page with the measured waterfalls beside each page's discovery picture. */
async function writeReport(file: string, result: MeasureResult, flags: MeasureFlags, manifest: Manifest | undefined): Promise<void> {
  let report: SiteReport;
  if (flags.root !== undefined) {
    report = await buildReport({ root: resolve(flags.root), cache: false, ...(manifest ? { manifest, manifestName: flags.manifest ?? 'the measured manifest' } : {}) });
    const measured = new Set(result.pages.map((p) => p.page));
    report.pages = report.pages.filter((p) => measured.has(p.page));
  } else {
    report = {
      root: result.target,
      manifest: 'the server itself',
      delivery: 'early-hints',
      summary: { pages: result.pages.length, median: { plain: 0, hinted: 0 }, worst: { plain: 0, hinted: 0 }, topGains: [], linkHeaderBytes: { median: 0, max: 0 } },
      pages: result.pages.map((p) => ({ page: p.page, resources: [], rounds: { plain: 0, link: 0, early: 0 }, saved: 0, linkHeaderBytes: 0, hintedBytes: 0, warnings: [] })),
    };
  }
  const extra = new Map(result.pages.map((p) => [p.page, measuredSection(p, result.rttMs)]));
  await writeFileAtomic(file, renderReportHtml(report, { title: 'push-manifest measure', extra, data: { measure: result } }));
}

/** Measure; exit 1 when a page could not be measured, 2 for bad input. */
export async function measureCommand(url: string | undefined, rawFlags: Record<string, unknown>, out: Output): Promise<number> {
  const flags = rawFlags as MeasureFlags;
  if ((url === undefined) === (flags.root === undefined)) throw new PushManifestError('BAD_OPTION', 'measure: give a site folder with --root <dir>, or a URL (not both)');
  if (flags.write && !flags.learn) throw new PushManifestError('BAD_OPTION', 'measure: --write goes with --learn');
  if (flags.write && flags.root === undefined) throw new PushManifestError('BAD_OPTION', 'measure: --learn --write needs --root (the manifest to write is the site\'s)');
  const runs = positiveFlag('--runs', flags.runs) ?? 5;
  const options: MeasureOptions = { tls: await makeDevCertificate('127.0.0.1'), runs, onProgress: (m) => out.progress(m) };
  const rtt = number('--rtt', flags.rtt, 0, 5000);
  if (rtt !== undefined) options.rttMs = rtt;
  const down = number('--down', flags.down, 1, 10_000_000);
  if (down !== undefined) options.downKbps = down;
  const timeout = number('--timeout', flags.timeout, 100, 600_000);
  if (timeout !== undefined) options.timeoutMs = timeout;
  if (flags.browser !== undefined) options.browser = flags.browser;
  if (flags.pages !== undefined) options.pages = flags.pages.flatMap((p) => p.split(',')).filter(Boolean);
  if (flags.learn) options.learn = true;

  let manifest: Manifest | undefined;
  let manifestFile: string | undefined;
  if (flags.root !== undefined) {
    const root = resolve(flags.root);
    options.root = root;
    if (!existsSync(root)) throw new PushManifestError('ENOENT', `root folder ${flags.root} does not exist`, { file: flags.root });
    manifestFile = flags.manifest !== undefined ? resolve(flags.manifest) : join(root, 'push-manifest.json');
    if (flags.manifest !== undefined && !existsSync(manifestFile)) throw new PushManifestError('ENOENT', `${flags.manifest}: no such manifest`, { file: flags.manifest });
    manifest = existsSync(manifestFile) ? await readManifestFile(manifestFile) : await loadSiteManifest(root);
    options.manifest = manifest;
  } else {
    options.url = url!;
  }

  const result = await measure(options);
  out.endProgress();
  tell(result, out, flags.learn === true);

  let after: MeasureResult | undefined;
  if (flags.write && manifest && manifestFile) {
    let added = 0;
    for (const p of result.pages) added += addLearned(manifest, p.page, p.learned ?? []);
    if (added === 0) out.info('nothing learned: the manifest is unchanged');
    else {
      const format = existsSync(manifestFile) ? detectFormat(await readJsonFile(manifestFile)) : 'auto';
      await writeManifestFile(manifestFile, manifest, format);
      out.info(`${added} learned resource${added === 1 ? '' : 's'} added to ${manifestFile} (marked "learned": true); measuring again`);
      after = await measure({ ...options, manifest, learn: false });
      out.endProgress();
      for (const p of after.pages) out.info(`after --learn: ${pageLine(p)}`);
    }
  }
  if (flags.report !== undefined) await writeReport(resolve(flags.report), after ?? result, flags, manifest);
  if (flags.json) {
    const pages = result.pages.map((p, i) => (after ? { ...p, afterLearn: { hinted: after.pages[i]!.hinted, gain: after.pages[i]!.gain, duplicates: after.pages[i]!.hinted.duplicates } } : p));
    out.data(JSON.stringify({ ...result, pages }));
  }
  return result.pages.some((p) => p.error !== undefined) ? EXIT.PROBLEMS : EXIT.OK;
}
