import type { Output } from '../output.js';
import { EXIT, ExitError } from '../exit.js';

/** `push-manifest generate`: placeholder until the crawler lands (issue 2). */
export async function generate(_patterns: string[], _flags: Record<string, unknown>, _out: Output): Promise<number> {
  throw new ExitError(EXIT.USAGE, 'generate: not available yet');
}
