import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportManifest, readRevisions, writeFileAtomic, type ExportOptions, type ExportTarget } from '@push-manifest/core/export';
import { PushManifestError, parseManifest, readJsonFile, type ManifestFormat } from '@push-manifest/core/manifest';
import type { Output } from '../output.js';
import { EXIT } from '../exit.js';

/** Flags of `push-manifest export`. */
export interface ExportFlags {
  to: ExportTarget;
  manifest?: string;
  root?: string;
  out?: string;
  push?: boolean;
  earlyHints?: boolean;
  targetVersion?: string;
  json?: boolean;
  from?: ManifestFormat | 'auto';
  base?: string;
}

/** Targets whose output is merged into the `--out` file when it exists. */
const MERGED: readonly ExportTarget[] = ['firebase', 'vercel'];

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new PushManifestError('BAD_INPUT', `${file}: cannot read it to merge into (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { file, cause: error });
  }
}

/**
 * `push-manifest export --to <target>`: write a manifest as a server's or CDN's config. Everything
 * is computed before anything is written, and the file is replaced atomically, so an error
 * (exit 2 for usage and input, 1 for an invalid manifest) leaves the old file as it was.
 */
export async function exportCommand(flags: ExportFlags, version: string, out: Output): Promise<number> {
  const file = flags.manifest ?? join(flags.root ?? '.', 'push-manifest.json');
  const manifest = parseManifest(await readJsonFile(file), {
    file,
    format: flags.from ?? 'auto',
    ...(flags.base === undefined ? {} : { base: flags.base }),
  });
  const target = flags.out ?? '-';
  const options: ExportOptions = {
    push: flags.push === true,
    earlyHints: flags.earlyHints === true,
    json: flags.json === true,
    manifestName: file,
    generator: `push-manifest ${version}`,
    ...(flags.targetVersion === undefined ? {} : { targetVersion: flags.targetVersion }),
  };
  if (MERGED.includes(flags.to) && target !== '-') {
    const existing = await readIfExists(target);
    if (existing !== undefined) options.existing = existing;
  }
  if (flags.to === 'workbox') {
    if (flags.root === undefined) throw new PushManifestError('BAD_OPTION', 'export --to workbox needs --root <dir>: the revisions are hashes of the files');
    options.revisions = await readRevisions(manifest, flags.root);
  }
  const result = exportManifest(manifest, flags.to, options);
  for (const warning of result.warnings) out.warn(warning);
  if (target === '-') {
    out.data(result.text);
  } else {
    await writeFileAtomic(target, result.text);
    out.info(`${file} → ${target} (${flags.to}${options.existing === undefined ? '' : ', merged'}, ${manifest.pages.size} page${manifest.pages.size === 1 ? '' : 's'})`);
  }
  return EXIT.OK;
}
