/**
 * `measure`: the same pages loaded cold in headless Chromium with the manifest's hints and without
 * them, behind a proxy that adds the round-trip time, the two variants interleaved; medians of FCP
 * and LCP, every request's timing and initiator, duplicate fetches, hints the browser did not use,
 * render-critical files nothing hinted, and (`learn`) what the crawl could not see.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fg from 'fast-glob';
import { PushManifestError } from '../errors.js';
import { generateManifest } from '../generate.js';
import { readManifestFile } from '../manifest/read.js';
import type { Manifest, ResourceType } from '../manifest/model.js';
import { RouteTable } from '../runtime/route-table.js';
import { createPushServer, type PushServer } from '../runtime/server.js';
import { parseLinkHeader } from '../runtime/link-header.js';
import { median } from '../report/build.js';
import { findBrowser, launchBrowser, type LoadRecord, type MeasureBrowser, type RequestRecord } from './browser.js';
import { startHintProxy, type HintProxy } from './hint-proxy.js';
import { startLatencyProxy, type LatencyProxy } from './latency-proxy.js';
import { spkiHash } from '../util/spki.js';
import type { LearnedResource } from './learned.js';

/** Options of {@link measure}. */
export interface MeasureOptions {
  /** A built site served by the project's runtime (with hints and without)… */
  root?: string;
  /** …or a running server (HTTP/2), measured against itself with hints stripped. */
  url?: string;
  /** Hints for `root` (default: `<root>/push-manifest.json`, else what `generate` would write). */
  manifest?: Manifest;
  /** Globs of pages relative to `root` (default `**\/*.html`, at most 10, the front page first); with `url`, paths. */
  pages?: string[];
  /** Cold loads per variant and page. Default 5. */
  runs?: number;
  /** Round-trip time added by the proxy, ms. Default 100. */
  rttMs?: number;
  /** Downstream bandwidth, kbit/s. */
  downKbps?: number;
  /** Chromium's path (default: `CHROME_PATH`, then the usual install paths). */
  browser?: string;
  /** TLS certificate the local servers use; the browser trusts it by its key. */
  tls: { cert: string; key: string };
  /** Per-load timeout, ms. Default 15000 + 20 RTTs. */
  timeoutMs?: number;
  /** List what was fetched before the LCP that the manifest does not hint. */
  learn?: boolean;
  /** Progress lines for people. */
  onProgress?: (message: string) => void;
}

/** One variant's figures on one page: medians in ms over the runs that loaded. */
export interface VariantResult {
  fcp?: number;
  lcp?: number;
  load?: number;
  /** The LCP element and its resource in the median run. */
  lcpElement?: string;
  lcpUrl?: string;
  /** URLs the browser fetched from the network more than once in some run. */
  duplicates: string[];
  /** Per-run figures, in run order. */
  samples: { fcp?: number; lcp?: number; load?: number; error?: string }[];
  /** The requests of the run with the median LCP, for the waterfall. */
  requests: (RequestRecord & { path: string; hinted: boolean })[];
  /** Runs that failed (timeout, network error). */
  errors: string[];
}

/** One page's measurement. */
export interface PageMeasure {
  /** The manifest route (`/index.html`), or the path with `url`. */
  page: string;
  /** The URL path loaded. */
  path: string;
  hinted: VariantResult;
  plain: VariantResult;
  /** plain − hinted (positive: the hints help), ms and in round trips. */
  gain: { lcp?: number; fcp?: number; lcpRtt?: number; fcpRtt?: number };
  /** Hinted URLs fetched only in the hinted variant: the page never asked for them. */
  unusedHints: string[];
  /** Render-critical files (CSS, scripts, fonts, the LCP image) fetched before the LCP that nothing hinted. */
  unhinted: { url: string; type: string }[];
  /** With `learn`: same-origin files fetched before the LCP (or load) that the manifest does not hint, in request order. */
  learned?: LearnedResource[];
  /** Set when every run of a variant failed. */
  error?: string;
}

/** The whole measurement. */
export interface MeasureResult {
  target: string;
  rttMs: number;
  runs: number;
  downKbps?: number;
  browser: string;
  pages: PageMeasure[];
}

/** A variant being measured: where the browser goes, and which URLs it hints per path. */
interface Variant {
  origin: string;
  hintsFor(path: string): Set<string>;
  close(): Promise<void>;
}

const DEFAULT_PAGES = 10;

/** URL path a page file is loaded at: `/index.html` → `/`, `/a/index.html` → `/a/`. */
function navigationPath(route: string): string {
  return route.endsWith('/index.html') ? route.slice(0, -'index.html'.length) : route;
}

/** Pages of a built site: the front page first, then in path order, at most `limit` unless globs pick them. */
async function sitePages(root: string, globs: string[] | undefined): Promise<string[]> {
  const files = await fg(globs && globs.length > 0 ? globs : ['**/*.html'], { cwd: root, onlyFiles: true, ignore: ['**/node_modules/**'], dot: false, followSymbolicLinks: false });
  const routes = files.filter((f) => /\.x?html?$/i.test(f)).map((f) => `/${f.split('\\').join('/')}`).sort();
  if (routes.length === 0) throw new PushManifestError('NO_MATCH', `no HTML pages match ${(globs ?? ['**/*.html']).join(' ')} under ${root}`, { file: root });
  const front = routes.indexOf('/index.html');
  if (front > 0) routes.unshift(...routes.splice(front, 1));
  return globs && globs.length > 0 ? routes : routes.slice(0, DEFAULT_PAGES);
}

/** The manifest type of a request's destination; undefined for what a manifest cannot hint. */
export function typeOfDestination(destination: string): ResourceType | undefined {
  switch (destination) {
    case 'style':
    case 'stylesheet':
      return 'style';
    case 'script':
      return 'script';
    case 'font':
      return 'font';
    case 'image':
      return 'image';
    case 'empty':
    case 'fetch':
    case 'xhr':
      return 'fetch';
    case 'track':
    case 'texttrack':
      return 'track';
    case 'manifest':
      return 'manifest';
    case 'video':
    case 'audio':
      return destination;
    default:
      return undefined;
  }
}

async function rootVariant(root: string, manifest: Manifest, tls: MeasureOptions['tls'], rttMs: number, downKbps: number | undefined): Promise<Variant> {
  const server: PushServer = await createPushServer({ root, manifest, tls, push: false, log: () => undefined });
  const proxy = await startLatencyProxy({ targetHost: '127.0.0.1', targetPort: server.port, rttMs, ...(downKbps !== undefined ? { downKbps } : {}) });
  const table = RouteTable.fromManifest(manifest);
  return {
    origin: `https://127.0.0.1:${proxy.port}`,
    hintsFor: (path) => {
      const route = table.match(path);
      return new Set(route ? (manifest.pages.get(route.key) ?? []).map((r) => r.url) : []);
    },
    close: async () => {
      await proxy.close();
      await server.close();
    },
  };
}

async function urlVariant(origin: string, strip: boolean, options: MeasureOptions, rttMs: number, timeoutMs: number): Promise<Variant> {
  const forward: HintProxy = await startHintProxy({ origin, strip, tls: options.tls, timeoutMs });
  const proxy: LatencyProxy = await startLatencyProxy({ targetHost: '127.0.0.1', targetPort: forward.port, rttMs, ...(options.downKbps !== undefined ? { downKbps: options.downKbps } : {}) });
  return {
    origin: `https://127.0.0.1:${proxy.port}`,
    hintsFor: (path) => {
      const urls = new Set<string>();
      for (const value of forward.linksByPath.get(path) ?? []) {
        for (const link of parseLinkHeader(value)) {
          try {
            const url = new URL(link.url, origin);
            if (url.origin === new URL(origin).origin) urls.add(url.pathname + url.search);
          } catch {
            // Not a URL: not a hint the browser could act on either.
          }
        }
      }
      return urls;
    },
    close: async () => {
      await proxy.close();
      await forward.close();
    },
  };
}

/** The hints for `root`: the given manifest, the site's own, or the default crawl. */
export async function loadSiteManifest(root: string, given?: Manifest): Promise<Manifest> {
  if (given) return given;
  const file = join(root, 'push-manifest.json');
  if (existsSync(file)) return readManifestFile(file);
  return (await generateManifest({ root, cache: false })).manifest;
}

/** Path and query of a same-origin URL, else undefined. */
function sameOriginPath(url: string, origin: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.origin === origin ? parsed.pathname + parsed.search : undefined;
  } catch {
    return undefined;
  }
}

/** Figures of one variant from its runs. */
function summarise(records: LoadRecord[], origin: string, hints: Set<string>): VariantResult {
  const ok = records.filter((r) => r.error === undefined);
  const pick = (key: 'fcp' | 'lcp' | 'load') => {
    const values = ok.map((r) => r[key]).filter((v): v is number => v !== undefined);
    return values.length > 0 ? Math.round(median(values)) : undefined;
  };
  const duplicates = new Set<string>();
  for (const record of records) {
    const count = new Map<string, number>();
    for (const r of record.requests) if (!r.cached && !r.failed) count.set(r.url, (count.get(r.url) ?? 0) + 1);
    for (const [url, n] of count) if (n > 1) duplicates.add(sameOriginPath(url, origin) ?? url);
  }
  const byLcp = [...ok].sort((a, b) => (a.lcp ?? a.load ?? 0) - (b.lcp ?? b.load ?? 0));
  const typical = byLcp[(byLcp.length - 1) >> 1];
  const result: VariantResult = {
    duplicates: [...duplicates],
    samples: records.map((r) => ({ ...(r.fcp !== undefined ? { fcp: Math.round(r.fcp) } : {}), ...(r.lcp !== undefined ? { lcp: Math.round(r.lcp) } : {}), ...(r.load !== undefined ? { load: Math.round(r.load) } : {}), ...(r.error ? { error: r.error } : {}) })),
    requests: (typical?.requests ?? []).map((r) => {
      const path = sameOriginPath(r.url, origin) ?? r.url;
      return { ...r, path, hinted: hints.has(path) };
    }),
    errors: records.flatMap((r) => (r.error ? [r.error] : [])),
  };
  for (const key of ['fcp', 'lcp', 'load'] as const) {
    const value = pick(key);
    if (value !== undefined) result[key] = value;
  }
  if (typical?.lcpElement) result.lcpElement = typical.lcpElement;
  if (typical?.lcpUrl) result.lcpUrl = sameOriginPath(typical.lcpUrl, origin) ?? typical.lcpUrl;
  return result;
}

/** Same-origin requests before the LCP (or load, whichever is later) that nothing hinted, in request order. */
function learnFrom(records: LoadRecord[], origin: string, hints: Set<string>): LearnedResource[] {
  const first = new Map<string, { start: number; item: LearnedResource }>();
  for (const record of records) {
    if (record.error) continue;
    const until = Math.max(record.lcp ?? 0, record.load ?? 0);
    for (const r of record.requests) {
      const path = sameOriginPath(r.url, origin);
      // `other`: the browser's own requests (the favicon), never the page's.
      if (path === undefined || hints.has(path) || r.start > until || r.failed || (r.status ?? 200) >= 400 || r.via === 'other') continue;
      const type = typeOfDestination(r.destination);
      if (type === undefined) continue;
      const item: LearnedResource = { url: path, type };
      if (type === 'font' || r.mode === 'cors') item.crossorigin = 'anonymous';
      if (type === 'script' && r.mode === 'cors') item.rel = 'modulepreload';
      const seen = first.get(path);
      if (seen === undefined || r.start < seen.start) first.set(path, { start: r.start, item });
    }
  }
  return [...first.values()].sort((a, b) => a.start - b.start).map((x) => x.item);
}

/** Hinted URLs the page fetched only when hinted, and critical files fetched before the LCP that nothing hinted. */
function compare(hinted: LoadRecord[], plain: LoadRecord[], origin: { hinted: string; plain: string }, hints: Set<string>) {
  const fetched = (records: LoadRecord[], o: string) => new Set(records.flatMap((r) => r.requests.map((q) => sameOriginPath(q.url, o) ?? q.url)));
  const inPlain = fetched(plain, origin.plain);
  const inHinted = fetched(hinted, origin.hinted);
  const unusedHints = [...hints].filter((url) => inHinted.has(url) && !inPlain.has(url));
  const unhinted = new Map<string, string>();
  for (const record of hinted) {
    const until = record.lcp ?? record.load ?? Infinity;
    const lcpPath = record.lcpUrl ? sameOriginPath(record.lcpUrl, origin.hinted) : undefined;
    for (const r of record.requests) {
      const path = sameOriginPath(r.url, origin.hinted);
      if (path === undefined || hints.has(path) || r.start > until || r.via === 'other') continue;
      const type = typeOfDestination(r.destination);
      if (type === 'style' || type === 'script' || type === 'font' || path === lcpPath) unhinted.set(path, type ?? r.destination);
    }
  }
  return { unusedHints, unhinted: [...unhinted].map(([url, type]) => ({ url, type })) };
}

/** A measurement of pages in two variants; see {@link MeasureOptions}. */
export async function measure(options: MeasureOptions): Promise<MeasureResult> {
  const runs = options.runs ?? 5;
  if (!Number.isInteger(runs) || runs < 1 || runs > 100) throw new PushManifestError('BAD_OPTION', `runs must be a whole number from 1 to 100, got ${runs}`);
  const rttMs = options.rttMs ?? 100;
  if (!Number.isFinite(rttMs) || rttMs < 0 || rttMs > 5000) throw new PushManifestError('BAD_OPTION', `rtt must be from 0 to 5000 ms, got ${rttMs}`);
  if (options.downKbps !== undefined && !(options.downKbps > 0)) throw new PushManifestError('BAD_OPTION', `down must be a positive kbit/s figure, got ${options.downKbps}`);
  if ((options.root === undefined) === (options.url === undefined)) throw new PushManifestError('BAD_OPTION', 'measure: give either a site folder (--root) or a URL');
  const timeoutMs = options.timeoutMs ?? 15_000 + 20 * rttMs;
  const executablePath = findBrowser(options.browser);
  const progress = options.onProgress ?? (() => undefined);

  let pages: { page: string; path: string }[];
  let hinted: Variant;
  let plain: Variant;
  let target: string;
  if (options.root !== undefined) {
    const root = resolve(options.root);
    if (!existsSync(root)) throw new PushManifestError('ENOENT', `root folder ${options.root} does not exist`, { file: options.root });
    const manifest = await loadSiteManifest(root, options.manifest);
    pages = (await sitePages(root, options.pages)).map((page) => ({ page, path: navigationPath(page) }));
    hinted = await rootVariant(root, manifest, options.tls, rttMs, options.downKbps);
    plain = await rootVariant(root, { pages: new Map() }, options.tls, rttMs, options.downKbps);
    target = root;
  } else {
    let origin: string;
    try {
      const url = new URL(options.url!);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('not http');
      origin = url.origin;
      pages = (options.pages && options.pages.length > 0 ? options.pages : [url.pathname + url.search]).map((p) => ({ page: p, path: p.startsWith('/') ? p : `/${p}` }));
    } catch {
      throw new PushManifestError('BAD_OPTION', `measure: ${options.url} is not an http(s) URL`);
    }
    hinted = await urlVariant(origin, false, options, rttMs, Math.min(timeoutMs, 10_000));
    plain = await urlVariant(origin, true, options, rttMs, Math.min(timeoutMs, 10_000)).catch(async (error) => {
      await hinted.close();
      throw error;
    });
    target = origin;
  }

  let browser: MeasureBrowser | undefined;
  try {
    browser = await launchBrowser({ executablePath, spki: [spkiHash(options.tls.cert)] });
    const records = new Map<string, { hinted: LoadRecord[]; plain: LoadRecord[] }>(pages.map((p) => [p.page, { hinted: [], plain: [] }]));
    const failed = new Set<string>();
    const settleMs = Math.max(100, rttMs * 2);
    // The first loads of a fresh browser pay for its start-up (and the servers' first reads): one
    // load of each variant of the first page, not counted.
    for (const variant of [hinted, plain]) await browser.load(variant.origin + pages[0]!.path, { timeoutMs, settleMs });
    for (let run = 0; run < runs; run++) {
      for (const { page, path } of pages) {
        if (failed.has(page)) continue;
        // Interleaved, and the order alternates, so drift in the machine's load hits both alike.
        const order: ['hinted' | 'plain', Variant][] = run % 2 === 0 ? [['hinted', hinted], ['plain', plain]] : [['plain', plain], ['hinted', hinted]];
        for (const [name, variant] of order) {
          progress(`run ${run + 1}/${runs} ${path} ${name}`);
          const record = await browser.load(variant.origin + path, { timeoutMs, settleMs });
          records.get(page)![name].push(record);
          // A page that does not load is reported, not retried: the others are still measured.
          if (record.error !== undefined) failed.add(page);
        }
      }
    }
    const results: PageMeasure[] = [];
    for (const { page, path } of pages) {
      const r = records.get(page)!;
      const hints = hinted.hintsFor(path);
      const h = summarise(r.hinted, hinted.origin, hints);
      const p = summarise(r.plain, plain.origin, new Set());
      const gain: PageMeasure['gain'] = {};
      if (h.lcp !== undefined && p.lcp !== undefined) {
        gain.lcp = p.lcp - h.lcp;
        if (rttMs > 0) gain.lcpRtt = Math.round((gain.lcp / rttMs) * 100) / 100;
      }
      if (h.fcp !== undefined && p.fcp !== undefined) {
        gain.fcp = p.fcp - h.fcp;
        if (rttMs > 0) gain.fcpRtt = Math.round((gain.fcp / rttMs) * 100) / 100;
      }
      const result: PageMeasure = { page, path, hinted: h, plain: p, gain, ...compare(r.hinted, r.plain, { hinted: hinted.origin, plain: plain.origin }, hints) };
      if (options.learn) result.learned = learnFrom(r.hinted, hinted.origin, hints);
      const error = h.errors[0] ?? p.errors[0];
      if (error !== undefined && (h.samples.every((s) => s.error) || p.samples.every((s) => s.error))) result.error = error;
      results.push(result);
    }
    const result: MeasureResult = { target, rttMs, runs, browser: executablePath, pages: results };
    if (options.downKbps !== undefined) result.downKbps = options.downKbps;
    return result;
  } finally {
    await browser?.close().catch(() => undefined);
    await hinted.close();
    await plain.close();
  }
}
