/**
 * Where the runtime's manifest comes from: an object given in the options, or a file that may be
 * watched and reloaded. A reload that fails keeps the table in use and says why.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, relative, resolve, sep } from 'node:path';
import type { Manifest } from '../manifest/model.js';
import { checkManifest, isManifest } from '../manifest/check-model.js';
import { formatProblem } from '../manifest/problems.js';
import { parseManifest, readManifestFile } from '../manifest/read.js';
import { PushManifestError, isPushManifestError } from '../errors.js';

/**
 * A Manifest, or parsed JSON in any manifest format, into a Manifest. Parsing rejects URLs that
 * could inject into a header; throws PushManifestError('INVALID_MANIFEST') naming the JSON path.
 */
export function toManifest(input: unknown, options: { file?: string; base?: string } = {}): Manifest {
  if (!isManifest(input)) return parseManifest(input, options);
  // A model built in code gets the checks a file gets (safe same-origin URLs, types, weights).
  const problems = checkManifest(input);
  const first = problems[0];
  if (first !== undefined) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    throw new PushManifestError('INVALID_MANIFEST', `${formatProblem(first, options.file)}${more}`, { path: first.path, ...(options.file === undefined ? {} : { file: options.file }) });
  }
  return input;
}

/**
 * Read and parse a manifest file in any format; PushManifestError on a missing file, bad JSON or
 * bad manifest. Entries read with a repair or dropped (an old `"type": ""`) go to `onWarning`,
 * one line each naming the file and the entry: the server starts on such a file.
 */
export async function loadManifestFile(file: string, base?: string, onWarning?: (line: string) => void): Promise<Manifest> {
  return readManifestFile(file, {
    ...(base === undefined ? {} : { base }),
    ...(onWarning === undefined ? {} : { onWarning: (warning) => onWarning(formatProblem(warning, file)) }),
  });
}

/**
 * The URL path of a manifest's folder when the manifest lives under the site root (a polymer
 * manifest's relative paths resolve against it, as prpl-server did), else `/`.
 */
export function manifestBase(manifestPath: string, root: string | undefined): string {
  if (root === undefined) return '/';
  const rel = relative(resolve(root), dirname(resolve(manifestPath)));
  if (rel === '' || rel.startsWith('..') || resolve(rel) === rel) return '/';
  return `/${rel.split(sep).map(encodeURIComponent).join('/')}/`;
}

/**
 * Watch a manifest file and call `onChange` (debounced) when it may have changed. The folder is
 * watched, not the file: an atomic write replaces the file by rename, which ends a watch on the
 * old inode.
 */
export function watchManifestFile(file: string, onChange: () => void, debounceMs = 50): () => void {
  const absolute = resolve(file);
  const name = basename(absolute);
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined = watch(dirname(absolute), { persistent: false }, (_event, changed) => {
    if (changed !== null && changed.toString() !== name) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      onChange();
    }, debounceMs);
    timer.unref();
  });
  watcher.on('error', () => {
    // The folder went away: stop watching; the table in use stays.
    watcher?.close();
    watcher = undefined;
  });
  return () => {
    if (timer !== undefined) clearTimeout(timer);
    watcher?.close();
    watcher = undefined;
  };
}

/** A one-line reason for a failed (re)load. */
export function describeLoadError(error: unknown): string {
  return isPushManifestError(error) || error instanceof Error ? error.message : String(error);
}
