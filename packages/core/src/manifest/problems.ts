/**
 * Problems found in a manifest, each tied to the JSON path of the offending value, and the one
 * way we print them: `"/index.html" → "/app.css" → type: expected one of script, style, …`.
 */

/** One thing wrong with a manifest. */
export interface ManifestProblem {
  /**
   * JSON path of the offending value, outermost first: object keys as written in the file
   * (`["index.html", "/app.css", "type"]`). Empty for the top level.
   */
  path: (string | number)[];
  /** What is wrong, without the path (`expected one of script, style, …`). */
  message: string;
}

/**
 * Render a JSON path the way messages show it: keys that are manifest entries (pages, URLs)
 * quoted as JSON strings, so a CR or LF in a key shows as `\r`/`\n` and the message stays on one
 * line; the last segment, when it names a field, bare.
 */
export function formatProblemPath(path: readonly (string | number)[], lastIsField = false): string {
  return path
    .map((segment, index) =>
      typeof segment === 'number' || (lastIsField && index === path.length - 1 && /^[A-Za-z_$][\w$]*$/.test(segment))
        ? String(segment)
        : JSON.stringify(segment),
    )
    .join(' → ');
}

/** Manifest fields we name bare in messages; any other last segment is a key and is quoted. */
const FIELD_NAMES = new Set(['type', 'weight', 'crossorigin', 'rel', 'nopush', 'media', 'imagesrcset', 'imagesizes', 'fetchpriority', 'mimeType']);

/** One line: `"/index.html" → "/app.css" → type: expected one of …`, prefixed with `file: ` when given. */
export function formatProblem(problem: ManifestProblem, file?: string): string {
  const last = problem.path[problem.path.length - 1];
  const lastIsField = typeof last === 'string' && FIELD_NAMES.has(last) && problem.path.length >= 2;
  const where = problem.path.length === 0 ? '(top level)' : formatProblemPath(problem.path, lastIsField);
  const text = `${where}: ${problem.message}`;
  return oneLine(file === undefined ? text : `${file}: ${text}`);
}

/** Messages carry user data (keys, values): never let one break the one-line-per-problem rule. */
function oneLine(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]/g, (ch) => JSON.stringify(ch).slice(1, -1));
}
