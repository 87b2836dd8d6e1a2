/**
 * Headless Chromium through `playwright-core`, an optional peer dependency: loaded only here, only
 * when `measure` runs, and never asked to download a browser. One cold load at a time: a new
 * context (empty cache, its own connections), requests recorded through the DevTools protocol,
 * FCP and LCP read from the page's own performance entries.
 */
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { PushManifestError } from '../errors.js';

/** The part of playwright-core's API used here (kept structural so core does not depend on its types). */
interface Playwright {
  chromium: { launch(options: Record<string, unknown>): Promise<PwBrowser> };
}
interface PwBrowser {
  newContext(options?: Record<string, unknown>): Promise<PwContext>;
  close(): Promise<void>;
}
interface PwContext {
  newPage(): Promise<PwPage>;
  newCDPSession(page: PwPage): Promise<PwCdp>;
  close(): Promise<void>;
}
interface PwPage {
  goto(url: string, options: Record<string, unknown>): Promise<unknown>;
  evaluate<T>(fn: string): Promise<T>;
  waitForTimeout(ms: number): Promise<void>;
}
interface PwCdp {
  send(method: string, params?: Record<string, unknown>): Promise<unknown>;
  on(event: string, listener: (params: any) => void): void;
}

/** Where Chromium usually lives, in the order tried after `--browser` and `CHROME_PATH`. */
export const USUAL_BROWSER_PATHS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/opt/google/chrome/chrome',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

/** The browser to run: the one given, else `CHROME_PATH`, else the first usual path that exists. */
export function findBrowser(given: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const executable = (file: string) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (given !== undefined) {
    if (!executable(given)) throw new PushManifestError('ENOENT', `--browser ${given}: no executable there (install Chromium, e.g. apt-get install chromium, or name its path)`, { file: given });
    return given;
  }
  if (env.CHROME_PATH) {
    if (!executable(env.CHROME_PATH)) throw new PushManifestError('ENOENT', `CHROME_PATH=${env.CHROME_PATH}: no executable there`, { file: env.CHROME_PATH });
    return env.CHROME_PATH;
  }
  const found = USUAL_BROWSER_PATHS.find(executable);
  if (found === undefined) {
    throw new PushManifestError('ENOENT', 'no Chromium found: install it (Debian: apt-get install chromium) or pass --browser <path> or set CHROME_PATH');
  }
  return found;
}

/** Import playwright-core from the user's project (or ours), or say what to install. */
export async function loadPlaywright(from: string = process.cwd()): Promise<Playwright> {
  const candidates = [pathToFileURL(`${from}/`).href, import.meta.url];
  for (const base of candidates) {
    let resolved: string;
    try {
      resolved = createRequire(base).resolve('playwright-core');
    } catch {
      continue;
    }
    const mod = (await import(pathToFileURL(resolved).href)) as Playwright & { default?: Playwright };
    return mod.chromium ? mod : mod.default!;
  }
  throw new PushManifestError('BAD_OPTION', 'measure needs the npm package playwright-core: npm install --save-dev playwright-core (it drives your installed Chromium; no browser is downloaded)');
}

/**
 * How a request came to be made: `early-hints` for a preload a 103 started (Resource Timing's
 * initiatorType), else DevTools' initiator type; a hinted URL requested with initiator `other`
 * after the response came from the Link header.
 */
export type RequestVia = 'early-hints' | 'parser' | 'script' | 'preload' | 'other';

/** One network request of a load, times in ms from the navigation's start. */
export interface RequestRecord {
  url: string;
  /** Fetch destination (`Sec-Fetch-Dest`), or DevTools' resource type lower-cased when absent. */
  destination: string;
  /** `Sec-Fetch-Mode`: `cors` for fonts and module scripts. */
  mode?: string;
  start: number;
  /** When the body finished (absent when it failed or never ended). */
  end?: number;
  via: RequestVia;
  status?: number;
  /** Served from the memory or disk cache: not a network fetch. */
  cached: boolean;
  failed?: boolean;
}

/** What one cold load measured. */
export interface LoadRecord {
  fcp?: number;
  lcp?: number;
  /** The LCP element's resource URL (an image), if it has one. */
  lcpUrl?: string;
  /** The LCP element, as `tag#id.class`. */
  lcpElement?: string;
  load?: number;
  /** When the document's response headers arrived. */
  response?: number;
  requests: RequestRecord[];
  error?: string;
}

/** A running browser. */
export interface MeasureBrowser {
  /** One cold load of `url`. Never throws for the page's own failure: it is in `error`. */
  load(url: string, options: { timeoutMs: number; settleMs: number }): Promise<LoadRecord>;
  close(): Promise<void>;
}

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-extensions'];

/** The page's paint timings, read after load (the entries are buffered). */
const READ_PAINTS = `(async () => {
  const lcp = await new Promise((resolve) => {
    let last;
    try {
      new PerformanceObserver((list) => { const e = list.getEntries(); last = e[e.length - 1]; }).observe({ type: 'largest-contentful-paint', buffered: true });
    } catch {}
    setTimeout(() => resolve(last), 0);
  });
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  const nav = performance.getEntriesByType('navigation')[0];
  const el = lcp && lcp.element;
  const name = el ? el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.classList.length ? '.' + [...el.classList].join('.') : '') : undefined;
  const earlyHints = performance.getEntriesByType('resource').filter((e) => e.initiatorType === 'early-hints').map((e) => e.name);
  return { earlyHints, fcp: fcp && fcp.startTime, lcp: lcp && lcp.startTime, lcpUrl: lcp && lcp.url || undefined, lcpElement: name, load: nav && nav.loadEventStart > 0 ? nav.loadEventStart : undefined };
})()`;

/**
 * Launch Chromium. `spki` pins the server certificate's public key
 * (`--ignore-certificate-errors-spki-list`): with certificate errors merely ignored, Chromium does
 * not cache such a host's responses and every hinted file would be fetched twice.
 */
export async function launchBrowser(options: { executablePath: string; spki: string[]; playwright?: Playwright }): Promise<MeasureBrowser> {
  const playwright = options.playwright ?? (await loadPlaywright());
  const args = [...ARGS];
  if (options.spki.length > 0) args.push(`--ignore-certificate-errors-spki-list=${options.spki.join(',')}`);
  let browser: PwBrowser;
  try {
    browser = await playwright.chromium.launch({ executablePath: options.executablePath, headless: true, args });
  } catch (error) {
    throw new PushManifestError('BAD_INPUT', `cannot start ${options.executablePath}: ${String((error as Error).message).split('\n')[0]}`, { cause: error });
  }
  return {
    close: () => browser.close(),
    load: (url, loadOptions) => loadOnce(browser, url, loadOptions),
  };
}

interface Pending {
  url: string;
  start: number;
  initiator: string;
  type: string;
  dest?: string;
  mode?: string;
  end?: number;
  status?: number;
  cached: boolean;
  failed?: boolean;
}

async function loadOnce(browser: PwBrowser, url: string, options: { timeoutMs: number; settleMs: number }): Promise<LoadRecord> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    const requests = new Map<string, Pending>();
    const extra = new Map<string, Record<string, string>>();
    let t0: number | undefined;
    let documentId: string | undefined;
    let response: number | undefined;
    const ms = (timestamp: number) => (timestamp - (t0 ?? timestamp)) * 1000;
    cdp.on('Network.requestWillBeSent', (e) => {
      if (e.redirectResponse) return;
      if (t0 === undefined && e.type === 'Document') {
        t0 = e.timestamp;
        documentId = e.requestId;
      }
      const headers = extra.get(e.requestId);
      requests.set(e.requestId, {
        url: e.request.url,
        start: e.timestamp,
        initiator: e.initiator?.type ?? 'other',
        type: String(e.type ?? 'Other').toLowerCase(),
        dest: headers?.['sec-fetch-dest'],
        mode: headers?.['sec-fetch-mode'],
        cached: false,
      });
    });
    cdp.on('Network.requestWillBeSentExtraInfo', (e) => {
      const lower: Record<string, string> = {};
      for (const [k, v] of Object.entries(e.headers ?? {})) lower[k.toLowerCase()] = String(v);
      extra.set(e.requestId, lower);
      const r = requests.get(e.requestId);
      if (r) {
        r.dest ??= lower['sec-fetch-dest'];
        r.mode ??= lower['sec-fetch-mode'];
      }
    });
    cdp.on('Network.responseReceived', (e) => {
      const r = requests.get(e.requestId);
      if (!r) return;
      r.status = e.response?.status;
      if (e.response?.fromDiskCache || e.response?.fromPrefetchCache) r.cached = true;
      if (e.requestId === documentId) response = e.timestamp;
    });
    cdp.on('Network.requestServedFromCache', (e) => {
      const r = requests.get(e.requestId);
      if (r) r.cached = true;
    });
    cdp.on('Network.loadingFinished', (e) => {
      const r = requests.get(e.requestId);
      if (r) r.end = e.timestamp;
    });
    cdp.on('Network.loadingFailed', (e) => {
      const r = requests.get(e.requestId);
      if (r) {
        r.failed = true;
        r.end = e.timestamp;
      }
    });
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });

    const record: LoadRecord = { requests: [] };
    // Resource Timing names the preloads a 103 started (initiatorType early-hints). DevTools reports
    // them only once the navigation commits, so their start and end are as late as that.
    const earlyHints = new Set<string>();
    try {
      await page.goto(url, { waitUntil: 'load', timeout: options.timeoutMs });
      await page.waitForTimeout(options.settleMs);
      const paints = await page.evaluate<{ fcp?: number; lcp?: number; lcpUrl?: string; lcpElement?: string; load?: number; earlyHints: string[] }>(READ_PAINTS);
      for (const name of paints.earlyHints) earlyHints.add(name);
      for (const key of ['fcp', 'lcp', 'lcpUrl', 'lcpElement', 'load'] as const) if (paints[key] !== undefined) (record as any)[key] = paints[key];
    } catch (error) {
      record.error = String((error as Error).message).split('\n')[0]!;
    }
    if (response !== undefined) record.response = ms(response);
    for (const [id, r] of requests) {
      if (id === documentId) continue;
      const via: RequestVia =
        earlyHints.has(r.url) || (response !== undefined && r.start < response) ? 'early-hints' : r.initiator === 'parser' ? 'parser' : r.initiator === 'script' ? 'script' : r.initiator === 'preload' ? 'preload' : 'other';
      const item: RequestRecord = { url: r.url, destination: r.dest ?? r.type, start: ms(r.start), via, cached: r.cached };
      if (r.mode !== undefined) item.mode = r.mode;
      if (r.end !== undefined) item.end = ms(r.end);
      if (r.status !== undefined) item.status = r.status;
      if (r.failed) item.failed = true;
      record.requests.push(item);
    }
    record.requests.sort((a, b) => a.start - b.start);
    return record;
  } finally {
    await context.close().catch(() => undefined);
  }
}
