import type { ManifestProblem } from '../problems.js';

/**
 * What a reader carries while it walks one manifest: the problems found so far (the file is
 * refused), and the warnings (the file is read, with a repair the user should know about).
 */
export interface ReadContext {
  problems: ManifestProblem[];
  warnings: ManifestProblem[];
}

/** Record a problem at a JSON path. */
export function report(context: ReadContext, path: (string | number)[], message: string): void {
  context.problems.push({ path, message });
}

/** Record a warning at a JSON path. */
export function warn(context: ReadContext, path: (string | number)[], message: string): void {
  context.warnings.push({ path, message });
}

/** A JSON object (not null, not an array). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** How a value looks, for messages (`an array`, `a number`). */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
