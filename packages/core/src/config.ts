/**
 * The config file (`push-manifest.config.{js,mjs,json}`): the options of `generate`, plus where
 * and how to write. Flags on the command line override it.
 */
import type { CrawlOptions } from './generate.js';

/** Everything a config file may set. Relative paths are resolved against the config file's folder. */
export interface PushManifestConfig extends CrawlOptions {
  /** The built site folder. */
  root?: string;
  /** Globs of pages relative to `root`. */
  patterns?: string[];
  /** Where to write the manifest (`-` for stdout). Default `<root>/push-manifest.json`. */
  out?: string;
  /** Manifest shape. Default `auto`: single for one page, multi for several. */
  format?: 'auto' | 'single' | 'multi' | 'polymer' | 'v1';
  /** URL path the site is served under. */
  base?: string;
  /** The site's own origin(s): absolute URLs on them count as the site's files. */
  origin?: string | string[];
}

/** Type-checks a config object in a `push-manifest.config.js`; returns it unchanged. */
export function defineConfig(config: PushManifestConfig): PushManifestConfig {
  return config;
}
