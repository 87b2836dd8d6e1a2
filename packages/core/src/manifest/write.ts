/**
 * Writing manifests: the canonical {@link Manifest} → deterministic text in any format, written
 * atomically. Same model in, byte-identical text out: pages sorted by key, resources by weight
 * (ties in model order), fields in a fixed order, 2-space JSON and a trailing newline.
 */
import { PushManifestError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { isPatternKey, type Manifest, type RouteKey } from './model.js';
import { checkManifest } from './check-model.js';
import { formatProblem } from './problems.js';
import type { ManifestFormat } from './formats/detect.js';
import { writeSingle } from './formats/single.js';
import { writeMulti } from './formats/multi.js';
import { writePolymer } from './formats/polymer.js';
import { writeV1 } from './formats/v1.js';
import { describeLeftOut, legacyView, type LeftOut } from './formats/legacy.js';

/** Every route the manifest mentions (pages and preconnect-only pages). */
function routesOf(manifest: Manifest): RouteKey[] {
  return [...new Set([...manifest.pages.keys(), ...(manifest.preconnect?.keys() ?? [])])];
}

/** What `auto` needs to know beyond the manifest. */
export interface AutoFormatOptions {
  /**
   * How many pages the site has, when the manifest covers only some of them (`generate
   * index.html` on a many-page site). `single` applies to every page, so it is only right when
   * the site has one page, not when one page was crawled. Default: the manifest's own page count.
   */
  sitePages?: number;
}

/**
 * The format `auto` stands for: `polymer` when a route is a pattern (only polymer has them),
 * else `single` when the site has one page and `multi` otherwise. The one-page route must be a
 * page (or `*`): `single` names no page, so it would apply the page's files to every route.
 */
export function resolveAutoFormat(manifest: Manifest, options: AutoFormatOptions = {}): ManifestFormat {
  const routes = routesOf(manifest);
  if (routes.some((route) => isPatternKey(route))) return 'polymer';
  const sitePages = Math.max(options.sitePages ?? 0, routes.length);
  return sitePages <= 1 ? 'single' : 'multi';
}

/**
 * What writing `manifest` in `format` leaves out (the old shapes drop what their old readers
 * would misuse: preconnect origins, media-conditional resources, responsive images), or
 * `undefined` for `v1`, which keeps everything.
 */
export function formatLeftOut(manifest: Manifest, format: ManifestFormat): LeftOut | undefined {
  return format === 'v1' ? undefined : legacyView(manifest, format).leftOut;
}

/**
 * One line for people: what a legacy `format` leaves out of `manifest` and that `v1` keeps it, or
 * `undefined` when nothing is lost. `generate` and `convert` print it as a warning.
 */
export function leftOutWarning(manifest: Manifest, format: ManifestFormat): string | undefined {
  return format === 'v1' ? undefined : describeLeftOut(legacyView(manifest, format).leftOut, format);
}

/**
 * Serialise a manifest. Deterministic: the same model gives byte-identical text.
 * @throws PushManifestError `INVALID_MANIFEST` when the model holds something no reader would
 * accept (an unsafe URL, a weight out of range, a URL twice on one page); `BAD_OPTION` when the
 * format cannot hold the manifest (several pages in `single`, a pattern in `multi`).
 */
export function serializeManifest(manifest: Manifest, format: ManifestFormat | 'auto' = 'auto', options: AutoFormatOptions = {}): string {
  const problems = checkManifest(manifest);
  const first = problems[0];
  if (first !== undefined) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    throw new PushManifestError('INVALID_MANIFEST', `cannot write manifest: ${formatProblem(first)}${more}`, { path: first.path });
  }
  const chosen = format === 'auto' ? resolveAutoFormat(manifest, options) : format;
  const routes = routesOf(manifest);
  if (chosen === 'v1') return writeV1(manifest, routes);
  if (chosen !== 'single' && chosen !== 'multi' && chosen !== 'polymer') {
    throw new PushManifestError('BAD_OPTION', `unknown manifest format ${JSON.stringify(chosen)} (expected single, multi, polymer, v1 or auto)`);
  }
  // The old shapes hold only what their old readers use correctly (see formats/legacy.ts).
  const legacy = legacyView(manifest, chosen).manifest;
  switch (chosen) {
    case 'single':
      return writeSingle(legacy, routes);
    case 'multi':
      return writeMulti(legacy, routes);
    case 'polymer':
      return writePolymer(legacy, routes);
  }
}

/**
 * Serialise and write a manifest atomically (temp file + rename): readers see the old file or
 * the new one, never a truncated one. Nothing is written when serialising fails.
 * @throws PushManifestError as {@link serializeManifest}; `ENOENT`/`BAD_INPUT` when the file cannot be written.
 */
export async function writeManifestFile(file: string, manifest: Manifest, format: ManifestFormat | 'auto' = 'auto', options: AutoFormatOptions = {}): Promise<void> {
  const text = serializeManifest(manifest, format, options);
  try {
    await writeFileAtomic(file, text);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new PushManifestError('ENOENT', `${file}: its folder does not exist`, { file, cause: error });
    throw new PushManifestError('BAD_INPUT', `${file}: cannot write it (${code ?? (error as Error).message})`, { file, cause: error });
  }
}
