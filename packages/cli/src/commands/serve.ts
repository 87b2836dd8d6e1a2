import type { Output } from '../output.js';
import { EXIT, ExitError } from '../exit.js';

/** `push-manifest serve`: placeholder until the crawler lands (issue 2). */
export async function serve(_root: string, _flags: Record<string, unknown>, _out: Output): Promise<number> {
  throw new ExitError(EXIT.USAGE, 'serve: not available yet');
}
