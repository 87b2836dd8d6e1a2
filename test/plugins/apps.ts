/**
 * Builds of the `fixtures/apps/multi-page` app by the real bundlers, into temp folders. Each test
 * file builds once per bundler in `beforeAll` and asserts on the output.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The fixture app's folder. */
export const APP = fileURLToPath(new URL('../../fixtures/apps/multi-page/', import.meta.url));

/** A fresh temp folder, removed by the returned `cleanup`. */
export async function tempDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `push-manifest-${prefix}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Every file under a folder, `/`-separated, sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

/** The one file of `files` matching `pattern`; fails the test when there is not exactly one. */
export function theFile(files: readonly string[], pattern: RegExp): string {
  const found = files.filter((file) => pattern.test(file));
  if (found.length !== 1) throw new Error(`expected one file matching ${pattern}, found ${found.length}: ${found.join(', ') || 'none'}`);
  return found[0]!;
}

/** The emitted manifest, parsed. */
export async function readJson(file: string): Promise<Record<string, Record<string, Record<string, unknown>>>> {
  return JSON.parse(await readFile(file, 'utf8')) as Record<string, Record<string, Record<string, unknown>>>;
}

/** A page's entries as `[url, fields without weight]`, in manifest (weight) order, weights checked descending. */
export function pageList(page: Record<string, Record<string, unknown>> | undefined): [string, Record<string, unknown>][] {
  if (!page) throw new Error('page missing from the manifest');
  const entries = Object.entries(page).sort((a, b) => (b[1].weight as number) - (a[1].weight as number));
  return entries.map(([url, { weight: _weight, ...fields }]) => [url, fields]);
}
