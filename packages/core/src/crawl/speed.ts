/**
 * How `generateManifest` reads and parses files when the caller does not pass its own parser:
 * worker threads for the CPU-bound parsing, and a content-hash cache in front of them.
 */
import path from 'node:path';
import { PushManifestError } from '../errors.js';
import { createCachingParser, defaultCacheDir } from './cache.js';
import { createParserPool } from './pool.js';
import type { FileParser } from './types.js';

/** Speed options of `generateManifest`. Neither changes the manifest, only how fast it comes. */
export interface SpeedOptions {
  /**
   * Threads that parse files, this one included (so `threads - 1` worker threads start). Default:
   * one per core, at most 4; a small crawl (a few dozen files) parses in-process whatever this
   * says. 1 parses everything in-process.
   */
  threads?: number;
  /**
   * The parse cache: `true` keeps it in {@link defaultCacheDir} (`node_modules/.cache/push-manifest/`
   * of the nearest package, else the user's cache folder; never inside the root), a string is the
   * folder to keep it in, `false` (the library default) disables it. The CLI turns it on unless `--no-cache`.
   */
  cache?: boolean | string;
}

/** Resolve the `cache` option to a folder, or undefined for no cache. */
export function cacheDirFor(cache: SpeedOptions['cache'], cwd: string = process.cwd(), root?: string): string | undefined {
  if (cache === undefined || cache === false) return undefined;
  if (cache === true) return defaultCacheDir(cwd, root === undefined ? {} : { root });
  return path.resolve(cwd, cache);
}

/** Build the parser for a crawl of `root` from the speed options. */
export async function createSpeedParser(root: string, options: SpeedOptions): Promise<FileParser> {
  if (options.threads !== undefined && (!Number.isInteger(options.threads) || options.threads < 1)) {
    throw new PushManifestError('BAD_OPTION', `threads must be a positive whole number, got ${options.threads}`);
  }
  const pool = createParserPool({ ...(options.threads === undefined ? {} : { threads: options.threads }), mainThreadParses: true });
  const dir = cacheDirFor(options.cache, process.cwd(), root);
  if (dir === undefined) return pool;
  return createCachingParser(pool, { dir, root });
}
