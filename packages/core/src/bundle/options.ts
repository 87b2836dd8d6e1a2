/**
 * The options every bundler plugin takes, validated with zod: one schema, so the Vite and the
 * webpack plugin accept the same options and reject a bad one with the same message.
 */
import { z } from 'zod';
import { PushManifestError } from '../errors.js';
import { RESOURCE_TYPES, type ResourceType } from '../manifest/model.js';

/** How a bad value looks in a message. */
function shown(input: unknown): string {
  if (input === undefined) return 'nothing';
  if (Array.isArray(input)) return 'an array';
  if (input === null || typeof input !== 'object') return typeof input === 'string' ? JSON.stringify(input) : String(input);
  return 'an object';
}

const positive = z.int({ error: (issue) => `expected a positive whole number, got ${shown(issue.input)}` }).min(1, { error: (issue) => `expected a positive whole number, got ${shown(issue.input)}` });
const patterns = z.union([z.string().min(1), z.array(z.string().min(1))], { error: (issue) => `expected a glob or a list of globs, got ${shown(issue.input)}` });

/** `auto` and every format the writers know (`MANIFEST_FORMATS`). */
const FORMATS = ['auto', 'single', 'multi', 'polymer'] as const;

/** The plugin options' schema (strict: an unknown option is an error, a typo must not pass silently). */
export const bundleOptionsSchema = z.strictObject({
  fileName: z
    .string({ error: (issue) => `expected a file name, got ${shown(issue.input)}` })
    .min(1, { error: 'expected a file name, got ""' })
    .refine((name) => !name.startsWith('/') && !name.split(/[\\/]/).includes('..'), { error: 'expected a path inside the output folder (no leading / and no ..)' }),
  format: z.enum(FORMATS, { error: (issue) => `expected one of ${FORMATS.join(', ')}, got ${shown(issue.input)}` }),
  types: z.array(z.enum(RESOURCE_TYPES, { error: (issue) => `expected one of ${RESOURCE_TYPES.join(', ')}, got ${shown(issue.input)}` }), { error: (issue) => `expected a list of types, got ${shown(issue.input)}` }),
  max: positive,
  maxBytes: positive,
  followImports: z.boolean({ error: (issue) => `expected true or false, got ${shown(issue.input)}` }),
  include: patterns,
  exclude: patterns,
  base: z
    .string({ error: (issue) => `expected a URL path such as /app/, got ${shown(issue.input)}` })
    .refine((base) => base === '' || base.startsWith('/') || base.startsWith('./'), { error: (issue) => `expected a URL path such as /app/, got ${shown(issue.input)}` }),
}).partial();

/** Options of the bundler plugins (`@push-manifest/vite`, `@push-manifest/webpack`). */
export interface BundlePluginOptions {
  /** Name of the emitted manifest in the output folder. Default `push-manifest.json`. */
  fileName?: string;
  /** Manifest format. Default `auto` (one page: `single`, several: `multi`). */
  format?: (typeof FORMATS)[number];
  /** Resource types listed. Default style, font, script (and each page's first image). */
  types?: ResourceType[];
  /** Most resources per page (the most critical first). */
  max?: number;
  /** Most bytes per page: the longest prefix of the ordered list that fits. */
  maxBytes?: number;
  /** List each entry's static imports, transitively, from the bundle graph. Default true. */
  followImports?: boolean;
  /** Pages listed (globs on the page's file name in the output folder, such as `admin/**`). Default all. */
  include?: string | string[];
  /** Pages left out (globs as for `include`). */
  exclude?: string | string[];
  /** URL path the output folder is served under. Default: the bundler's (Vite `base`, webpack `output.publicPath`). */
  base?: string;
}

/** Resolved plugin options, defaults filled in. */
export interface ResolvedBundleOptions extends Omit<BundlePluginOptions, 'fileName' | 'format' | 'followImports' | 'include' | 'exclude'> {
  fileName: string;
  format: (typeof FORMATS)[number];
  followImports: boolean;
  include: string[];
  exclude: string[];
}

/**
 * Validate plugin options. Throws PushManifestError `BAD_OPTION` naming the plugin, the option
 * and what was expected (`@push-manifest/vite: option "max": expected a positive whole number, got 0`).
 */
export function resolveBundleOptions(plugin: string, input: unknown): ResolvedBundleOptions {
  const result = bundleOptionsSchema.safeParse(input ?? {});
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const message =
      issue.code === 'unrecognized_keys'
        ? `unknown option${issue.keys.length === 1 ? '' : 's'} ${issue.keys.map((k) => `"${k}"`).join(', ')} (expected ${Object.keys(bundleOptionsSchema.shape).join(', ')})`
        : issue.path.length === 0
          ? `options: expected an object, got ${shown(input)}`
          : `option "${issue.path.join('.')}": ${issue.message}`;
    throw new PushManifestError('BAD_OPTION', `${plugin}: ${message}`);
  }
  const options = result.data;
  const list = (value: string | string[] | undefined) => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
  const resolved: ResolvedBundleOptions = {
    fileName: options.fileName ?? 'push-manifest.json',
    format: options.format ?? 'auto',
    followImports: options.followImports ?? true,
    include: list(options.include),
    exclude: list(options.exclude),
  };
  if (options.types !== undefined) resolved.types = options.types;
  if (options.max !== undefined) resolved.max = options.max;
  if (options.maxBytes !== undefined) resolved.maxBytes = options.maxBytes;
  if (options.base !== undefined) resolved.base = options.base;
  return resolved;
}
