/**
 * `push-manifest generate --from-vite dist/.vite/manifest.json [--route /=src/main.ts ...]`: a
 * manifest from Vite's own build manifest, for server-rendered apps whose HTML is not on disk.
 * The logic is core's (`bundleFromViteManifest`, `bundleManifest`), the same step the Vite plugin runs.
 */
import { basename, dirname, join, relative, resolve } from 'node:path';
import { bundleFromViteManifest, bundleManifest, resolveBundleOptions, type ViteRoute } from '@push-manifest/core/bundle';
import { PushManifestError, readJsonFile, serializeManifest, writeFileAtomic } from '@push-manifest/core';
import type { Output } from '../output.js';
import { EXIT } from '../exit.js';

/** The flags `--from-vite` reads. */
interface FromViteFlags {
  fromVite: string;
  route?: string[];
  root?: string;
  out?: string;
  format?: string;
  base?: string;
  max?: string;
  maxBytes?: string;
  types?: string;
}

/** `--route /account=src/account.ts` → route and entry. */
function parseRoute(value: string): ViteRoute {
  const at = value.indexOf('=');
  if (at <= 0 || at === value.length - 1) throw new PushManifestError('BAD_OPTION', `--route ${value}: expected <route>=<entry>, such as /=src/main.ts`);
  return { route: value.slice(0, at), entry: value.slice(at + 1) };
}

/** A whole number as a number, anything else as given, for the option schema to name. */
const count = (value: string | undefined) => (value !== undefined && /^\d+$/.test(value.trim()) ? Number(value) : value);

export async function generateFromVite(rawFlags: Record<string, unknown>, out: Output): Promise<number> {
  const flags = rawFlags as unknown as FromViteFlags;
  const file = resolve(flags.fromVite);
  // Vite 5+ writes the manifest to <outDir>/.vite/manifest.json; older versions to <outDir>/manifest.json.
  const root = flags.root !== undefined ? resolve(flags.root) : basename(dirname(file)) === '.vite' ? dirname(dirname(file)) : dirname(file);
  const options = resolveBundleOptions('generate --from-vite', {
    ...(flags.format !== undefined && { format: flags.format }),
    ...(flags.base !== undefined && { base: flags.base }),
    ...(flags.max !== undefined && { max: count(flags.max) }),
    ...(flags.maxBytes !== undefined && { maxBytes: count(flags.maxBytes) }),
    ...(flags.types !== undefined && { types: flags.types.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean) }),
  });
  const input = bundleFromViteManifest({ json: await readJsonFile(file), file: flags.fromVite, root, base: options.base ?? '/', routes: (flags.route ?? []).map(parseRoute) });
  const { manifest, warnings } = await bundleManifest(input, options);
  for (const warning of warnings) out.warn(`${relative(process.cwd(), warning.file).replace(/\0route-\d+\.html$/, '(route)')}: ${warning.message}`);
  const text = serializeManifest(manifest, options.format);
  const target = flags.out ?? join(root, 'push-manifest.json');
  if (target === '-') out.data(text);
  else await writeFileAtomic(target, text);
  const resources = [...manifest.pages.values()].reduce((n, list) => n + list.length, 0);
  out.info(`${manifest.pages.size} route${manifest.pages.size === 1 ? '' : 's'}, ${resources} listed resource${resources === 1 ? '' : 's'} from ${flags.fromVite} → ${target === '-' ? 'stdout' : relative(process.cwd(), target) || target}`);
  return EXIT.OK;
}
