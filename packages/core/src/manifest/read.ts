/**
 * Reading manifests: parsed JSON (any format) → the canonical {@link Manifest}, with every
 * problem found on the way, and files → parsed JSON with one-line errors that name the file.
 */
import { readFile } from 'node:fs/promises';
import { PushManifestError } from '../errors.js';
import type { Manifest } from './model.js';
import { formatProblem, type ManifestProblem } from './problems.js';
import { checkedBase } from './url-safety.js';
import { isPlainObject, kindOf, type ReadContext } from './formats/context.js';
import { detectFormat, type ManifestFormat } from './formats/detect.js';
import { readSingle } from './formats/single.js';
import { readMulti } from './formats/multi.js';
import { readPolymer } from './formats/polymer.js';
import { readV1 } from './formats/v1.js';

/** Options for reading a manifest. */
export interface ParseManifestOptions {
  /** The format of the input; `auto` (the default) tells it from the shape ({@link detectFormat}). */
  format?: ManifestFormat | 'auto';
  /** The file the JSON came from, named in error messages. */
  file?: string;
  /** Called with each warning (an entry read with a repair, or dropped); they are also in {@link ManifestReadResult.warnings}. */
  onWarning?: (warning: ManifestProblem) => void;
  /**
   * URL path of the manifest's folder (`/` by default). Relative page keys and resource URLs of
   * the polymer format resolve against it, as prpl-server did; other formats must be absolute.
   */
  base?: string;
}

/** Everything a read found out: the format, the manifest (entries with problems left out), the problems and the warnings. */
export interface ManifestReadResult {
  format: ManifestFormat;
  manifest: Manifest;
  /** What makes the file invalid (`parseManifest` throws on the first). */
  problems: ManifestProblem[];
  /**
   * What was read with a repair or dropped, the file still usable: an old `"type": ""` entry
   * (typed from its extension where that is certain, else dropped), unknown v1 fields.
   */
  warnings: ManifestProblem[];
}

/**
 * Read parsed JSON into the canonical model and list **every** problem (JSON paths as written in
 * the input). Never throws for bad manifest content; throws `BAD_OPTION` for a bad `base`.
 */
export function readManifestJson(json: unknown, options: ParseManifestOptions = {}): ManifestReadResult {
  const base = options.base === undefined ? '/' : checkedBase(options.base);
  if (base === undefined) {
    throw new PushManifestError('BAD_OPTION', `base ${JSON.stringify(options.base)} is not an absolute URL path (like /app/)`);
  }
  const format = options.format === undefined || options.format === 'auto' ? detectFormat(json) : options.format;
  const context: ReadContext = { problems: [], warnings: [] };
  if (!isPlainObject(json)) {
    context.problems.push({ path: [], message: `expected a JSON object (got ${kindOf(json)})` });
    return { format, manifest: { pages: new Map() }, problems: context.problems, warnings: context.warnings };
  }
  const manifest =
    format === 'single'
      ? readSingle(json, context)
      : format === 'multi'
        ? readMulti(json, context)
        : format === 'v1'
          ? readV1(json, context)
          : readPolymer(json, context, base);
  for (const warning of context.warnings) options.onWarning?.(warning);
  return { format, manifest, problems: context.problems, warnings: context.warnings };
}

/**
 * Every problem in a parsed manifest, and every warning after them (empty when it is clean). The
 * library side of `push-manifest validate`: an entry the reader repairs or drops is still a
 * defect of the file.
 */
export function validateManifestJson(json: unknown, options: ParseManifestOptions = {}): ManifestProblem[] {
  const { problems, warnings } = readManifestJson(json, options);
  return [...problems, ...warnings];
}

/**
 * Read parsed JSON in any format into the canonical model.
 * @throws PushManifestError `INVALID_MANIFEST` naming the file and the JSON path of the first
 * problem (and how many more there are); `BAD_OPTION` for a bad `base`.
 */
export function parseManifest(json: unknown, options: ParseManifestOptions = {}): Manifest {
  const { manifest, problems } = readManifestJson(json, options);
  const first = problems[0];
  if (first !== undefined) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
    throw new PushManifestError('INVALID_MANIFEST', `${formatProblem(first, options.file)}${more}`, {
      ...(options.file === undefined ? {} : { file: options.file }),
      path: first.path,
    });
  }
  return manifest;
}

/**
 * Read a file as JSON.
 * @throws PushManifestError `ENOENT` when it does not exist, `BAD_INPUT` when it cannot be read,
 * is not UTF-8 or is not JSON; the message is one line that names the file.
 */
export async function readJsonFile(file: string): Promise<unknown> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new PushManifestError('ENOENT', `${file}: no such file`, { file, cause: error });
    if (code === 'EISDIR') throw new PushManifestError('BAD_INPUT', `${file}: is a folder, not a manifest file`, { file, cause: error });
    throw new PushManifestError('BAD_INPUT', `${file}: cannot read it (${code ?? (error as Error).message})`, { file, cause: error });
  }
  let text: string;
  try {
    // fatal: a manifest with broken bytes is corrupt, not something to guess at. The BOM is dropped.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new PushManifestError('BAD_INPUT', `${file}: not UTF-8 text`, { file, cause: error });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = (error as Error).message.replace(/\s+/g, ' ').slice(0, 200);
    throw new PushManifestError('BAD_INPUT', `${file}: not JSON (${reason})`, { file, cause: error });
  }
}

/**
 * Read a manifest file in any format into the canonical model.
 * @throws PushManifestError `ENOENT`, `BAD_INPUT` (not JSON, not UTF-8) or `INVALID_MANIFEST`.
 */
export async function readManifestFile(file: string, options: Omit<ParseManifestOptions, 'file'> = {}): Promise<Manifest> {
  return parseManifest(await readJsonFile(file), { ...options, file });
}
