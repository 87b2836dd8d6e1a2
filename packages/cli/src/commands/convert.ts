import {
  formatProblem,
  leftOutWarning,
  parseManifest,
  readJsonFile,
  serializeManifest,
  writeManifestFile,
  type ManifestFormat,
} from '@push-manifest/core/manifest';
import type { Output } from '../output.js';
import { EXIT } from '../exit.js';

/** Flags of `push-manifest convert`. */
export interface ConvertFlags {
  format: ManifestFormat;
  out?: string;
  base?: string;
  from?: ManifestFormat | 'auto';
}

/**
 * `push-manifest convert <in> --format single|multi|polymer|v1 [--out file|-]`: read a manifest in any
 * format and write it in another, to stdout by default. Nothing is written when the input is
 * invalid (exit 1) or the target format cannot hold it (several pages into single: exit 2).
 */
export async function convert(file: string, flags: ConvertFlags, out: Output): Promise<number> {
  const json = await readJsonFile(file);
  const manifest = parseManifest(json, {
    file,
    onWarning: (warning) => out.warn(formatProblem(warning, file)),
    format: flags.from ?? 'auto',
    ...(flags.base === undefined ? {} : { base: flags.base }),
  });
  const leftOut = leftOutWarning(manifest, flags.format);
  if (leftOut !== undefined) out.warn(leftOut);
  const target = flags.out ?? '-';
  if (target === '-') {
    out.data(serializeManifest(manifest, flags.format));
  } else {
    await writeManifestFile(target, manifest, flags.format);
    out.info(`${file} → ${target} (${flags.format}, ${manifest.pages.size} page${manifest.pages.size === 1 ? '' : 's'})`);
  }
  return EXIT.OK;
}
