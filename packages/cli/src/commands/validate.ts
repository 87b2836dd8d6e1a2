import {
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
  if (flags.root !== undefined) problems.push(...(await checkManifestFiles(manifest, { root: flags.root })));
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
