import { dirname, join, relative, resolve } from 'node:path';
import {
  defaultCacheDir,
  generateManifest,
  PushManifestError,
  RESOURCE_TYPES,
  serializeManifest,
  writeFileAtomic,
  type CrawlWarning,
  type GenerateOptions,
  type PushManifestConfig,
  type ResourceType,
} from '@push-manifest/core';
import type { Output } from '../output.js';
import { EXIT } from '../exit.js';
import { loadConfig } from '../config.js';

/** Flags of `push-manifest generate` as commander hands them over. */
export interface GenerateFlags {
  root?: string;
  out?: string;
  format?: 'auto' | 'single' | 'multi' | 'polymer';
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
  nomodule?: boolean;
  threads?: string;
  /** False with --no-cache. */
  cache?: boolean;
  json?: boolean;
  verbose?: boolean;
  /** Keep running and regenerate on changes under the root. */
  watch?: boolean;
}

/** Warnings printed one by one before the rest are only counted (all of them with --verbose). */
export const MAX_WARNINGS_SHOWN = 100;

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

/** Flags over config over defaults. */
function mergeOptions(patterns: string[], flags: GenerateFlags, config: PushManifestConfig) {
  const pick = <T>(flag: T | undefined, fromConfig: T | undefined) => (flag !== undefined ? flag : fromConfig);
  const root = flags.root !== undefined ? resolve(flags.root) : config.root;
  if (root === undefined) throw new PushManifestError('BAD_OPTION', 'generate: --root <dir> is required (or root in the config file)');
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
  set('threads', wholeNumber('--threads', flags.threads));
  // The parse cache: node_modules/.cache/push-manifest of the cwd, else a dot folder beside the manifest.
  const manifestFile = out === '-' ? resolve(root, 'push-manifest.json') : resolve(out);
  options.cache = flags.cache === false ? false : (defaultCacheDir() ?? join(dirname(manifestFile), '.push-manifest-cache'));
  return { options, out, format: flags.format ?? config.format ?? 'auto' };
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
  if (flags.watch) return (await import('./generate-watch.js')).generateWatch({ options, target, format, flags }, out);

  let lastProgress = 0;
  options.onProgress = (done, total) => {
    const now = performance.now();
    if (done === total || now - lastProgress > 250) {
      lastProgress = now;
      out.progress(`crawling ${done}/${total} pages`);
    }
  };
  // A big site with a systematic problem can have thousands: show the first ones, count the rest.
  let hidden = 0;
  let shownWarnings = 0;
  options.onWarning = (warning) => {
    if (flags.verbose || shownWarnings < MAX_WARNINGS_SHOWN) {
      shownWarnings++;
      out.warn(formatWarning(warning));
    } else {
      hidden++;
    }
  };

  const result = await generateManifest(options);
  out.endProgress();
  if (hidden > 0) out.warn(`… and ${hidden} more warning${hidden === 1 ? '' : 's'} (--verbose shows all, --json lists all)`);
  // Serialise before writing anything: a manifest that cannot be written leaves no file behind.
  const text = serializeManifest(result.manifest, format);
  if (target === '-') out.data(text);
  else await writeFileAtomic(target, text);

  for (const [route, list] of result.manifest.pages) {
    const origins = result.manifest.preconnect?.get(route)?.length ?? 0;
    out.verbose(`${route}: ${list.length} resource${list.length === 1 ? '' : 's'}${origins > 0 ? `, ${origins} preconnect origin${origins === 1 ? '' : 's'}` : ''}`);
  }
  const { pages, files, bytes, ms } = result.stats;
  const resources = [...result.manifest.pages.values()].reduce((n, list) => n + list.length, 0);
  const where = target === '-' ? 'stdout' : shown(target);
  out.info(
    `${pages} page${pages === 1 ? '' : 's'}, ${resources} listed resource${resources === 1 ? '' : 's'}, ${files} files parsed (${(bytes / 1024).toFixed(1)} KiB) in ${ms} ms → ${where}` +
      (result.warnings.length > 0 ? `, ${result.warnings.length} warning${result.warnings.length === 1 ? '' : 's'}` : ''),
  );
  if (flags.json) {
    out.data(JSON.stringify({ out: target, format, pages, resources, files, bytes, ms, warnings: result.warnings }));
  }
  return EXIT.OK;
}
