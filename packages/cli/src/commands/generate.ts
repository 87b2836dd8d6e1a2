import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import {
  createManifestStream,
  defaultCacheDir,
  generateManifest,
  keepLearned,
  PushManifestError,
  readManifestFile,
  RESOURCE_TYPES,
  leftOutWarning,
  resolveAutoFormat,
  serializeManifest,
  writeFileAtomic,
  type CrawlWarning,
  type GenerateOptions,
  type GenerateResult,
  type ManifestStream,
  type Manifest,
  type PushManifestConfig,
  type ResourceType,
} from '@push-manifest/core';
import { createWarningSummary, type Output } from '../output.js';
import { EXIT } from '../exit.js';
import { loadConfig } from '../config.js';
import { rootHint } from '../usage.js';
import { boundHeapGrowth } from '../heap-growth.js';

/** Flags of `push-manifest generate` as commander hands them over. */
export interface GenerateFlags {
  root?: string;
  out?: string;
  format?: 'auto' | 'single' | 'multi' | 'polymer' | 'v1';
  base?: string;
  origin?: string[];
  config?: string;
  max?: string;
  maxBytes?: string;
  types?: string;
  firstImage?: boolean;
  srcset?: 'default' | 'all';
  fonts?: 'used' | 'declared';
  followImports?: boolean;
  nonScreenMedia?: boolean;
  nomodule?: boolean;
  threads?: string;
  /** False with --no-cache. */
  cache?: boolean;
  cacheDir?: string;
  json?: boolean;
  /** File to write every warning to, as JSON. */
  warnings?: string;
  verbose?: boolean;
  /** Keep running and regenerate on changes under the root. */
  watch?: boolean;
}

function wholeNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new PushManifestError('BAD_OPTION', `${flag} must be a positive whole number, got "${value}"`);
  }
  return n;
}

function typeList(value: string | undefined): ResourceType[] | undefined {
  if (value === undefined) return undefined;
  const types = value.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean);
  for (const type of types) {
    if (!(RESOURCE_TYPES as readonly string[]).includes(type)) {
      throw new PushManifestError('BAD_OPTION', `--types: unknown type "${type}" (expected one of ${RESOURCE_TYPES.join(', ')})`);
    }
  }
  return types as ResourceType[];
}

/** A path as a person wants to read it: relative to the current folder when inside it. */
export function shown(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel === '' || rel.startsWith('..') ? file : rel;
}

/** `file:line:col message`, the file relative to the current folder. */
export function formatWarning(warning: CrawlWarning): string {
  const file = shown(warning.file);
  const where = warning.line === undefined ? file : `${file}:${warning.line}:${warning.column ?? 1}`;
  return `${where} ${warning.message}`;
}

/** Flags over config over defaults (`check` crawls with the same options, so it uses this too). */
export function mergeOptions(patterns: string[], flags: GenerateFlags, config: PushManifestConfig) {
  const pick = <T>(flag: T | undefined, fromConfig: T | undefined) => (flag !== undefined ? flag : fromConfig);
  const root = flags.root !== undefined ? resolve(flags.root) : config.root;
  if (root === undefined) {
    const hint = rootHint(patterns[0]);
    throw new PushManifestError('BAD_OPTION', `generate: --root <dir> is required (or root in the config file)${hint ? `; ${hint}` : ''}`);
  }
  const out = flags.out ?? config.out ?? resolve(root, 'push-manifest.json');
  const options: GenerateOptions = { root };
  const set = <K extends keyof GenerateOptions>(key: K, value: GenerateOptions[K] | undefined) => {
    if (value !== undefined) options[key] = value;
  };
  set('patterns', patterns.length > 0 ? patterns : config.patterns);
  set('base', pick(flags.base, config.base));
  set('origin', pick(flags.origin, config.origin));
  set('max', pick(wholeNumber('--max', flags.max), config.max));
  set('maxBytes', pick(wholeNumber('--max-bytes', flags.maxBytes), config.maxBytes));
  set('types', pick(typeList(flags.types), config.types));
  set('firstImage', pick(flags.firstImage, config.firstImage));
  set('srcset', pick(flags.srcset, config.srcset));
  set('fonts', pick(flags.fonts, config.fonts));
  set('followImports', pick(flags.followImports, config.followImports));
  set('nomodule', pick(flags.nomodule, config.nomodule));
  set('nonScreenMedia', pick(flags.nonScreenMedia, config.nonScreenMedia));
  set('threads', wholeNumber('--threads', flags.threads));
  // The parse cache: --cache-dir, else the config's cacheDir, else never inside the root (defaultCacheDir).
  const cacheDir = flags.cacheDir !== undefined ? resolve(flags.cacheDir) : config.cacheDir;
  options.cache = flags.cache === false ? false : (cacheDir ?? defaultCacheDir(process.cwd(), { root }));
  return { options, out, format: flags.format ?? config.format ?? 'auto' };
}

/**
 * Entries `measure --learn --write` added to the manifest being replaced (`"learned": true`) are
 * what the crawl cannot see: carry them over. An unreadable old manifest is only a warning.
 */
async function keepLearnedEntries(file: string, manifest: Manifest, out: Output): Promise<void> {
  if (!existsSync(file)) return;
  try {
    const kept = keepLearned(manifest, await readManifestFile(file));
    if (kept > 0) out.info(`kept ${kept} learned resource${kept === 1 ? '' : 's'} from ${shown(file)}`);
  } catch (error) {
    out.warn(`${shown(file)}: could not read the existing manifest for its learned entries (${(error as Error).message})`);
  }
}

/** The `--verbose` line of one page. */
function routeLine(route: string, resources: number, origins: number): string {
  return `${route}: ${resources} resource${resources === 1 ? '' : 's'}${origins > 0 ? `, ${origins} preconnect origin${origins === 1 ? '' : 's'}` : ''}`;
}

/** Why `auto` wrote multi for a one-page crawl. */
function formatNote(format: string, chosen: string, result: GenerateResult, out: Output): void {
  if (format === 'auto' && chosen === 'multi' && result.stats.pages === 1) {
    out.info(`format: multi (the site has ${result.stats.sitePages} pages; single would apply this page's hints to every one of them)`);
  }
}

/**
 * Whether the manifest being replaced may hold learned entries (see {@link keepLearnedEntries}):
 * its bytes are scanned for the field's name a chunk at a time, so a large old manifest is not
 * read whole just to learn it has none.
 */
async function mayHaveLearned(file: string): Promise<boolean> {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return false;
  }
  const needle = Buffer.from('"learned"');
  const chunk = Buffer.allocUnsafe(1 << 16);
  try {
    let carry = Buffer.alloc(0);
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) return false;
      const window = Buffer.concat([carry, chunk.subarray(0, n)]);
      if (window.includes(needle)) return true;
      carry = window.subarray(Math.max(0, window.length - needle.length + 1));
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * `push-manifest generate [patterns...] --root <dir>`: crawl the site and write its manifest.
 * Warnings go to stderr one per line; exit 0 even with warnings, 2 (nothing written) on bad input.
 */
export async function generate(patterns: string[], rawFlags: Record<string, unknown>, out: Output): Promise<number> {
  const flags = rawFlags as GenerateFlags;
  const { file: configFile, config } = await loadConfig(flags.config);
  if (configFile) out.verbose(`config: ${shown(configFile)}`);
  const { options, out: target, format } = mergeOptions(patterns, flags, config);
  if (flags.json && target === '-') {
    throw new PushManifestError('BAD_OPTION', 'generate: --json and --out - both want stdout; write the manifest to a file');
  }
  if (target !== '-') options.exclude = [resolve(target)];
  boundHeapGrowth();
  if (flags.watch) return (await import('./generate-watch.js')).generateWatch({ options, target, format, flags }, out);

  let lastProgress = 0;
  options.onProgress = (done, total) => {
    const now = performance.now();
    if (done === total || now - lastProgress > 250) {
      lastProgress = now;
      out.progress(`crawling ${done}/${total} pages`);
    }
  };
  // A big site with a systematic problem can have thousands: a screenful, then counts per kind.
  const summary = createWarningSummary(out, { verbose: flags.verbose === true });
  options.onWarning = (warning) => summary.add(warning.code, formatWarning(warning));

  // A file target is written page by page as the crawl lists them (a big site's manifest is never
  // held whole), unless learned entries of the old file must be merged in or `single` was asked for.
  const stream: ManifestStream | undefined =
    target !== '-' && format !== 'single' && !(await mayHaveLearned(resolve(target))) ? createManifestStream(target, format) : undefined;
  const routeLines: string[] = [];
  let resources = 0;
  if (stream) {
    options.onPage = (route, list, preconnect) => {
      stream.add(route, list, preconnect);
      resources += list.length;
      if (flags.verbose) routeLines.push(routeLine(route, list.length, preconnect?.length ?? 0));
    };
  }
  let result: GenerateResult;
  try {
    result = await generateManifest(options);
  } catch (error) {
    stream?.abort();
    throw error;
  }
  out.endProgress();
  summary.finish();
  if (flags.warnings !== undefined) {
    const file = resolve(flags.warnings);
    await writeFileAtomic(file, `${JSON.stringify(result.warnings, null, 2)}\n`).catch((error: unknown) => {
      stream?.abort();
      throw error;
    });
    out.verbose(`warnings: ${result.warnings.length} → ${shown(file)}`);
  }
  let chosen: string;
  if (stream) {
    const written = await stream.finish({ sitePages: result.stats.sitePages });
    chosen = written.format;
    formatNote(format, chosen, result, out);
    if (written.leftOutWarning !== undefined) out.warn(written.leftOutWarning);
  } else {
    // `auto` writes single only for a one-page site, not for one crawled page of a bigger one.
    const resolved = format === 'auto' ? resolveAutoFormat(result.manifest, { sitePages: result.stats.sitePages }) : format;
    chosen = resolved;
    formatNote(format, chosen, result, out);
    const leftOut = leftOutWarning(result.manifest, resolved);
    if (leftOut !== undefined) out.warn(leftOut);
    if (target !== '-') await keepLearnedEntries(resolve(target), result.manifest, out);
    // Serialise before writing anything: a manifest that cannot be written leaves no file behind.
    const text = serializeManifest(result.manifest, resolved);
    if (target === '-') out.data(text);
    else await writeFileAtomic(target, text);
    for (const [route, list] of result.manifest.pages) {
      routeLines.push(routeLine(route, list.length, result.manifest.preconnect?.get(route)?.length ?? 0));
      resources += list.length;
    }
  }
  for (const line of routeLines) out.verbose(line);
  const { pages, files, bytes, ms } = result.stats;
  const where = target === '-' ? 'stdout' : shown(target);
  out.info(
    `${pages} page${pages === 1 ? '' : 's'}, ${resources} listed resource${resources === 1 ? '' : 's'}, ${files} files parsed (${(bytes / 1024).toFixed(1)} KiB) in ${ms} ms → ${where}` +
      (result.warnings.length > 0 ? `, ${result.warnings.length} warning${result.warnings.length === 1 ? '' : 's'}` : ''),
  );
  if (flags.json) {
    out.data(JSON.stringify({ out: target, format: chosen, pages, resources, files, bytes, ms, warnings: result.warnings }));
  }
  return EXIT.OK;
}
