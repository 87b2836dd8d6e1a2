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

/** Every route the manifest mentions (pages and preconnect-only pages). */
function routesOf(manifest: Manifest): RouteKey[] {
  return [...new Set([...manifest.pages.keys(), ...(manifest.preconnect?.keys() ?? [])])];
}

/**
 * The format `auto` stands for: `polymer` when a route is a pattern (only polymer has them),
 * else `single` for one page and `multi` for several, as http2-push-manifest did.
 */
export function resolveAutoFormat(manifest: Manifest): ManifestFormat {
  const routes = routesOf(manifest);
  if (routes.some((route) => isPatternKey(route))) return 'polymer';
  return routes.length <= 1 ? 'single' : 'multi';
}

/**
 * Serialise a manifest. Deterministic: the same model gives byte-identical text.
 * @throws PushManifestError `INVALID_MANIFEST` when the model holds something no reader would
 * accept (an unsafe URL, a weight out of range, a URL twice on one page); `BAD_OPTION` when the
 * format cannot hold the manifest (several pages in `single`, a pattern in `multi`).
 */
export function serializeManifest(manifest: Manifest, format: ManifestFormat | 'auto' = 'auto'): string {
  const problems = checkManifest(manifest);
  const first = problems[0];
  if (first !== undefined) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    throw new PushManifestError('INVALID_MANIFEST', `cannot write manifest: ${formatProblem(first)}${more}`, { path: first.path });
  }
  const chosen = format === 'auto' ? resolveAutoFormat(manifest) : format;
  const routes = routesOf(manifest);
  switch (chosen) {
    case 'single':
      return writeSingle(manifest, routes);
    case 'multi':
      return writeMulti(manifest, routes);
    case 'polymer':
      return writePolymer(manifest, routes);
    default:
      throw new PushManifestError('BAD_OPTION', `unknown manifest format ${JSON.stringify(chosen)} (expected single, multi, polymer or auto)`);
  }
}

/**
 * Serialise and write a manifest atomically (temp file + rename): readers see the old file or
 * the new one, never a truncated one. Nothing is written when serialising fails.
 * @throws PushManifestError as {@link serializeManifest}; `ENOENT`/`BAD_INPUT` when the file cannot be written.
 */
export async function writeManifestFile(file: string, manifest: Manifest, format: ManifestFormat | 'auto' = 'auto'): Promise<void> {
  const text = serializeManifest(manifest, format);
  try {
    await writeFileAtomic(file, text);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new PushManifestError('ENOENT', `${file}: its folder does not exist`, { file, cause: error });
    throw new PushManifestError('BAD_INPUT', `${file}: cannot write it (${code ?? (error as Error).message})`, { file, cause: error });
  }
}
