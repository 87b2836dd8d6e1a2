/**
 * A parse-result cache for the crawler: a rerun on an unchanged site reads and hashes every file
 * but parses none of them.
 *
 * Entries are keyed by the SHA-1 of the file's bytes (and its kind), never by path or mtime, so a
 * touched-but-unchanged file still hits and a changed file always misses. The whole cache is
 * invalidated when the extractor changes: its version is a hash of the crawl code itself plus the
 * parser versions, so a new build never serves results of an old extractor.
 *
 * One JSON file per site root, written atomically at the end of a run with only the entries that run
 * used (so it never grows without bound). A cache file that cannot be read or parsed, or that has
 * another version, is ignored: the run parses everything and rewrites it.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../util/atomic-write.js';
import { isFileReadError, type FileExtract, type FileParser } from './types.js';

/** Bumped when the cache file's layout changes. */
const CACHE_FORMAT = 1;

/** Counters of a {@link CachingParser}, for tests and `--verbose`. */
export interface ParseCacheStats {
  /** Files whose parse result came from the cache. */
  hits: number;
  /** Files parsed by the inner parser (and now cached). */
  misses: number;
  /** True when an existing cache file was unreadable, corrupt or of another version, and so ignored. */
  discarded: boolean;
}

/** A {@link FileParser} that answers from the cache where it can. `close()` saves it (best effort). */
export interface CachingParser extends FileParser {
  /**
   * Write the cache file (atomically) if this run changed it; entries the run did not use are
   * dropped. Rejects when the folder cannot be written (`close()` swallows that).
   */
  save(): Promise<void>;
  /** Counters so far. */
  readonly stats: ParseCacheStats;
  /** The cache file this parser reads and writes. */
  readonly file: string;
}

/** Options of {@link createCachingParser}. */
export interface ParseCacheOptions {
  /** Folder that holds the cache files (created on save). */
  dir: string;
  /** The site root: one cache file per root, so two sites do not evict each other's entries. */
  root: string;
  /** Override the extractor version (tests); default {@link extractorVersion}(). */
  version?: string;
}

interface CacheFile {
  format: number;
  version: string;
  entries: Record<string, FileExtract>;
}

let cachedVersion: string | undefined;

/**
 * The version of the extraction code: a hash over the crawl sources next to this module (the built
 * `.js` files, or the `.ts` sources under a test runner) and the versions of parse5 and css-tree.
 * Any change to how files are parsed changes it, which invalidates every cache entry.
 */
export function extractorVersion(): string {
  if (cachedVersion !== undefined) return cachedVersion;
  const hash = createHash('sha1');
  const dir = path.dirname(fileURLToPath(import.meta.url));
  for (const name of readdirSync(dir).sort()) {
    if (/\.(js|ts)$/.test(name) && !name.endsWith('.d.ts')) hash.update(name).update(readFileSync(path.join(dir, name)));
  }
  const require = createRequire(import.meta.url);
  for (const dep of ['parse5', 'css-tree']) {
    hash.update(dep).update(packageVersion(require, dep));
  }
  cachedVersion = hash.digest('base64url');
  return cachedVersion;
}

/** A dependency's version, found by walking up from its entry point (css-tree does not export package.json). */
function packageVersion(require: NodeJS.Require, name: string): string {
  let dir = path.dirname(require.resolve(name));
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name) return pkg.version ?? '';
    }
    const up = path.dirname(dir);
    if (up === dir) return '';
    dir = up;
  }
}

/**
 * Where the cache lives by default: `node_modules/.cache/push-manifest/` of `cwd` (the convention
 * Babel, ESLint and Vite follow), or undefined when `cwd` has no `node_modules`, in which case the
 * caller decides (the CLI puts it beside the manifest).
 */
export function defaultCacheDir(cwd: string = process.cwd()): string | undefined {
  const modules = path.join(cwd, 'node_modules');
  return existsSync(modules) ? path.join(modules, '.cache', 'push-manifest') : undefined;
}

const isFileExtract = (value: unknown): value is FileExtract => {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<FileExtract>;
  return (v.kind === 'html' || v.kind === 'css' || v.kind === 'js') && Array.isArray(v.refs) && Array.isArray(v.warnings);
};

/** Read a cache file; anything unexpected gives an empty cache and `discarded: true`. */
async function loadCache(file: string, version: string): Promise<{ entries: Map<string, FileExtract>; discarded: boolean }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return { entries: new Map(), discarded: false };
  }
  try {
    const data = JSON.parse(text) as Partial<CacheFile>;
    if (data.format !== CACHE_FORMAT || data.version !== version || typeof data.entries !== 'object' || data.entries === null) {
      return { entries: new Map(), discarded: true };
    }
    const entries = new Map<string, FileExtract>();
    for (const [key, value] of Object.entries(data.entries)) {
      // One malformed entry means someone edited or truncated the file: trust none of it.
      if (!isFileExtract(value)) return { entries: new Map(), discarded: true };
      entries.set(key, value);
    }
    return { entries, discarded: false };
  } catch {
    return { entries: new Map(), discarded: true };
  }
}

/**
 * Wrap a parser with the content-hash cache. The wrapper reads each file once to hash it; on a miss
 * the inner parser (in-process or the worker pool) parses it. Read errors are never cached.
 */
export async function createCachingParser(inner: FileParser, options: ParseCacheOptions): Promise<CachingParser> {
  const version = options.version ?? extractorVersion();
  const rootKey = createHash('sha1').update(path.resolve(options.root)).digest('hex').slice(0, 16);
  const file = path.join(options.dir, `crawl-${rootKey}.json`);
  const loaded = await loadCache(file, version);
  const used = new Map<string, FileExtract>();
  const stats: ParseCacheStats = { hits: 0, misses: 0, discarded: loaded.discarded };

  const save = async (): Promise<void> => {
    const unchanged = stats.misses === 0 && !stats.discarded && used.size === loaded.entries.size;
    if (unchanged) return;
    const entries: Record<string, FileExtract> = {};
    for (const [key, value] of [...used].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) entries[key] = value;
    const data: CacheFile = { format: CACHE_FORMAT, version, entries };
    await mkdir(options.dir, { recursive: true });
    await writeFileAtomic(file, JSON.stringify(data));
  };

  return {
    file,
    stats,
    save,
    async parse(kind, absPath) {
      let bytes: Buffer;
      try {
        bytes = await readFile(absPath);
      } catch {
        // The inner parser turns the failure into the crawler's own FileReadError.
        return inner.parse(kind, absPath);
      }
      const key = createHash('sha1').update(kind).update('\0').update(bytes).digest('base64url');
      const hit = used.get(key) ?? loaded.entries.get(key);
      if (hit !== undefined) {
        stats.hits++;
        used.set(key, hit);
        return hit;
      }
      const result = await inner.parse(kind, absPath);
      if (!isFileReadError(result)) {
        stats.misses++;
        used.set(key, result);
      }
      return result;
    },
    async close() {
      try {
        await inner.close?.();
      } finally {
        // The cache only saves time: a folder that cannot be written must not fail the crawl.
        await save().catch(() => undefined);
      }
    },
  };
}
