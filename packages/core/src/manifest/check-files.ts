/**
 * `validate --root`: does every resource a manifest lists exist under the site folder?
 * Resolution mirrors what a static server does with the URL: drop `?query`/`#hash`,
 * percent-decode once, stay inside the root (also through symlinks).
 */
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { PushManifestError } from '../errors.js';
import { isInsideRoot } from '../util/served-path.js';
import type { Manifest } from './model.js';
import type { ManifestProblem } from './problems.js';

/** Options for {@link checkManifestFiles}. */
export interface CheckFilesOptions {
  /** The folder served at `/`. */
  root: string;
}

type FileVerdict = { ok: true } | { ok: false; reason: string };

/**
 * List the resources of a manifest that have no file under `root`, one problem per URL (at the
 * first page that lists it, saying how many do). Pattern pages are checked too: their resources
 * are files all the same.
 * @throws PushManifestError `ENOENT` when `root` is not a folder.
 */
export async function checkManifestFiles(manifest: Manifest, options: CheckFilesOptions): Promise<ManifestProblem[]> {
  let root: string;
  try {
    root = await realpath(options.root);
    if (!(await stat(root)).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
  } catch (error) {
    throw new PushManifestError('ENOENT', `${options.root}: no such folder`, { file: options.root, cause: error });
  }
  // url → first page listing it, and how many pages do.
  const listed = new Map<string, { route: string; count: number }>();
  for (const [route, resources] of manifest.pages) {
    for (const { url } of resources) {
      const seen = listed.get(url);
      if (seen) seen.count++;
      else listed.set(url, { route, count: 1 });
    }
  }
  const problems: ManifestProblem[] = [];
  // Sequential stats keep the open-file count flat; a manifest lists at most a few thousand URLs.
  for (const [url, { route, count }] of listed) {
    const verdict = await checkFile(root, url);
    if (!verdict.ok) {
      const also = count > 1 ? ` (listed by ${count} pages)` : '';
      problems.push({ path: [route, url], message: `${verdict.reason}${also}` });
    }
  }
  return problems;
}

async function checkFile(root: string, url: string): Promise<FileVerdict> {
  const pathPart = url.replace(/[?#].*$/s, '');
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathPart);
  } catch {
    return { ok: false, reason: 'has a malformed %-escape' };
  }
  if (decoded.includes('\0')) return { ok: false, reason: 'decodes to a path with NUL in it' };
  const file = join(root, decoded);
  if (!isInsideRoot(root, file)) return { ok: false, reason: 'points outside the root' };
  let real: string;
  try {
    real = await realpath(file);
  } catch {
    return { ok: false, reason: `no file at ${relative(root, file) || '.'} under the root` };
  }
  if (!isInsideRoot(root, real)) return { ok: false, reason: 'is a symlink that leaves the root' };
  const info = await stat(real);
  if (!info.isFile()) return { ok: false, reason: `${relative(root, file)} is not a file` };
  return { ok: true };
}

