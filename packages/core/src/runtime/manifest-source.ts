/**
 * Where the runtime's manifest comes from: an object given in the options, or a file that may be
 * watched and reloaded. A reload that fails keeps the table in use and says why.
 */
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { Manifest } from '../manifest/model.js';
import { PushManifestError, isPushManifestError } from '../errors.js';
import { isManifest } from './push-runtime.js';
import { parseManifest } from '../manifest/read.js';

/** A Manifest, or parsed JSON in any manifest format, into a Manifest. */
export function toManifest(input: unknown, file?: string): Manifest {
  if (isManifest(input)) return input;
  return parseManifest(input, file === undefined ? {} : { file });
}

/** Read and parse a manifest file; PushManifestError on a missing file, bad JSON or bad manifest. */
export async function loadManifestFile(file: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new PushManifestError('ENOENT', `${file}: cannot read the manifest (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { file, cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PushManifestError('BAD_INPUT', `${file}: not JSON (${(error as Error).message})`, { file, cause: error });
  }
  return toManifest(json, file);
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
