/**
 * `workbox`: every same-origin resource of the manifest as a Workbox precache list
 * (`[{ url, revision }]`), `revision` from the file's content so a changed file is fetched again.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { relative, resolve, sep, isAbsolute } from 'node:path';
import type { Manifest } from '../manifest/model.js';
import { PushManifestError } from '../errors.js';
import type { ExportOptions, ExportResult } from './types.js';

/** The same-origin resource URLs of a manifest, each once, in order of first appearance. */
export function precacheUrls(manifest: Manifest): string[] {
  const urls = new Set<string>();
  for (const resources of manifest.pages.values()) {
    for (const resource of resources) if (resource.url.startsWith('/') && !resource.url.startsWith('//')) urls.add(resource.url);
  }
  return [...urls];
}

/**
 * The revision of each precache URL: the first 16 hex digits of the SHA-256 of the file under
 * `root` (query string ignored, escapes decoded, never a path outside `root`).
 * @throws PushManifestError `ENOENT` naming the first URL whose file is missing, `BAD_PATH` for one outside the root.
 */
export async function readRevisions(manifest: Manifest, root: string): Promise<Map<string, string>> {
  const revisions = new Map<string, string>();
  const base = resolve(root);
  for (const url of precacheUrls(manifest)) {
    const q = url.search(/[?#]/);
    let path: string;
    try {
      path = decodeURIComponent(q < 0 ? url : url.slice(0, q));
    } catch (error) {
      throw new PushManifestError('BAD_PATH', `${url}: its escapes are not UTF-8, so no file can be found for it`, { cause: error });
    }
    const file = resolve(base, `.${path}`);
    const rel = relative(base, file);
    if (rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel) || path.includes('\0')) {
      throw new PushManifestError('BAD_PATH', `${url}: leaves the root ${root}`);
    }
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      throw new PushManifestError('ENOENT', `${url}: no file ${file} under --root ${root} to take its revision from`, { file, cause: error });
    }
    revisions.set(url, createHash('sha256').update(bytes).digest('hex').slice(0, 16));
  }
  return revisions;
}

/** The Workbox precache list; `options.revisions` (from {@link readRevisions}) is required. */
export function exportWorkbox(manifest: Manifest, options: ExportOptions = {}): ExportResult {
  const revisions = options.revisions;
  if (revisions === undefined) throw new PushManifestError('BAD_OPTION', 'the workbox export needs the files for their revisions: give --root (the site folder)');
  const entries = precacheUrls(manifest).map((url) => {
    const revision = revisions.get(url);
    if (revision === undefined) throw new PushManifestError('BAD_OPTION', `${url}: no revision given for it`);
    return { url, revision };
  });
  return { text: `${JSON.stringify(entries, null, 2)}\n`, warnings: [] };
}
