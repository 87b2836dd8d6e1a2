import {
  ANY_PAGE,
  checkManifestFiles,
  formatProblem,
  readJsonFile,
  readManifestJson,
  type ManifestFormat,
} from '@push-manifest/core/manifest';
import type { Output } from '../output.js';
import { EXIT } from '../exit.js';

/** Flags of `push-manifest validate`. */
export interface ValidateFlags {
  root?: string;
  json?: boolean;
  base?: string;
  from?: ManifestFormat | 'auto';
}

/**
 * Route → the page key the manifest file has for it (`index.html` for `/index.html`), or null for
 * a `single` manifest, which has no page keys. Routes with no key found are left out.
 */
function keysAsWritten(json: unknown, routes: readonly string[]): Map<string, string | null> {
  const keys = new Map<string, string | null>();
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return keys;
  const written = Object.keys(json);
  for (const route of routes) {
    if (route === ANY_PAGE && !written.includes(route)) {
      keys.set(route, null);
      continue;
    }
    const bare = route.replace(/^\//, '');
    const key = written.find((k) => k === route) ?? written.find((k) => k.replace(/^\.?\//, '') === bare);
    if (key !== undefined) keys.set(route, key);
  }
  return keys;
}

/**
 * `push-manifest validate <manifest> [--root <dir>] [--json]`: list every problem of a manifest
 * (schema, unsafe URLs and, with `--root`, resources with no file). Exit 0 when valid, 1 with
 * problems (one line each on stderr, or a JSON report on stdout with `--json`), 2 when the file
 * cannot be read or is not JSON.
 */
export async function validate(file: string, flags: ValidateFlags, out: Output): Promise<number> {
  const json = await readJsonFile(file);
  const { format, manifest, problems, warnings } = readManifestJson(json, {
    format: flags.from ?? 'auto',
    ...(flags.base === undefined ? {} : { base: flags.base }),
  });
  // An entry the reader repairs or drops (an old "type": "") is still a defect of the file.
  problems.push(...warnings);
  // Check files even when the schema found problems: the user wants the whole list in one run.
  if (flags.root !== undefined) {
    const keys = keysAsWritten(json, [...manifest.pages.keys()]);
    for (const problem of await checkManifestFiles(manifest, { root: flags.root })) {
      const [route, ...rest] = problem.path;
      // A file problem names the page by its route (`/index.html`); say it as the manifest does.
      const key = typeof route === 'string' ? keys.get(route) : undefined;
      problems.push(key === undefined ? problem : { ...problem, path: key === null ? rest : [key, ...rest] });
    }
  }
  const resources = [...manifest.pages.values()].reduce((sum, list) => sum + list.length, 0);
  if (flags.json) {
    const report = {
      file,
      format,
      valid: problems.length === 0,
      pages: manifest.pages.size,
      resources,
      problems: problems.map((problem) => ({ path: problem.path, message: problem.message, text: formatProblem(problem) })),
    };
    out.data(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    for (const problem of problems) out.error(formatProblem(problem, file));
  }
  if (problems.length > 0) {
    out.info(`${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}`);
    return EXIT.PROBLEMS;
  }
  const checked = flags.root === undefined ? '' : `, every file present under ${flags.root}`;
  out.info(`${file}: valid ${format} manifest, ${manifest.pages.size} page${manifest.pages.size === 1 ? '' : 's'}, ${resources} resource${resources === 1 ? '' : 's'}${checked}`);
  return EXIT.OK;
}
