/**
 * The config file (`push-manifest.config.{js,mjs,json}`): the options of `generate`, plus where
 * and how to write. Flags on the command line override it.
 */
import { z } from 'zod';
import type { CrawlOptions } from './generate.js';
import { RESOURCE_TYPES } from './manifest/model.js';

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
  /** Folder of the parse cache (default: `node_modules/.cache/push-manifest` of the nearest package). */
  cacheDir?: string;
}

const positive = z.number().int().positive();

/**
 * The zod schema of a config file, strict: an unknown key (a typo such as `tpyes`) is an error,
 * never silently ignored. Its keys are exactly those of {@link PushManifestConfig} (checked below
 * at compile time, so a new option cannot be forgotten here).
 */
export const pushManifestConfigSchema = z.strictObject({
  root: z.string(),
  patterns: z.array(z.string()),
  out: z.string(),
  format: z.enum(['auto', 'single', 'multi', 'polymer']),
  base: z.string(),
  origin: z.union([z.string(), z.array(z.string())]),
  cacheDir: z.string(),
  types: z.array(z.enum(RESOURCE_TYPES)),
  firstImage: z.boolean(),
  max: positive,
  maxBytes: positive,
  fonts: z.enum(['used', 'declared']),
  srcset: z.enum(['default', 'all']),
  followImports: z.boolean(),
  nonScreenMedia: z.boolean(),
  nomodule: z.boolean(),
}).partial();

// Compile-time: the schema and the interface name the same keys (a new CrawlOptions field must be added above).
type SchemaKeys = keyof z.infer<typeof pushManifestConfigSchema>;
const sameKeys: [Exclude<keyof PushManifestConfig, SchemaKeys>, Exclude<SchemaKeys, keyof PushManifestConfig>] extends [never, never] ? true : never = true;
void sameKeys;

/** The keys a config file may have, for "did you mean" suggestions. */
export const CONFIG_KEYS: readonly string[] = Object.keys(pushManifestConfigSchema.shape);

/** Type-checks a config object in a `push-manifest.config.js`; returns it unchanged. */
export function defineConfig(config: PushManifestConfig): PushManifestConfig {
  return config;
}
