/**
 * Where push-manifest keeps what it caches (the crawler's parse cache, `serve`'s development
 * certificate). A module of its own, free of the crawler, so the runtime entry can export it.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { isInsideRoot } from './served-path.js';

/** Where {@link defaultCacheDir} looks. */
export interface CacheDirOptions {
  /** A folder the cache must not be inside (the site root, which gets deployed). */
  root?: string;
  /** Environment (for `XDG_CACHE_HOME`); default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Home folder; default `os.homedir()`. */
  home?: string;
}

/**
 * Where push-manifest keeps its caches by default (the parse cache, `serve`'s development
 * certificate): `node_modules/.cache/push-manifest/` of the nearest package at or above `cwd`
 * (the folder with a `package.json`; the convention Babel, ESLint and Vite follow), else the
 * user's cache folder, `$XDG_CACHE_HOME/push-manifest` or `~/.cache/push-manifest`. Never inside
 * `options.root`: a site folder is what people deploy, so a package found inside it is passed over.
 */
export function defaultCacheDir(cwd: string = process.cwd(), options: CacheDirOptions = {}): string {
  const root = options.root === undefined ? undefined : path.resolve(options.root);
  for (let dir = path.resolve(cwd); ; ) {
    if (existsSync(path.join(dir, 'package.json'))) {
      const candidate = path.join(dir, 'node_modules', '.cache', 'push-manifest');
      if (root === undefined || !isInsideRoot(root, candidate)) return candidate;
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  const env = options.env ?? process.env;
  const xdg = env.XDG_CACHE_HOME;
  // The XDG spec: a relative XDG_CACHE_HOME is invalid and must be ignored.
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(options.home ?? homedir(), '.cache');
  return path.join(base, 'push-manifest');
}

