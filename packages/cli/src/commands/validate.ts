import type { Output } from '../output.js';
import { EXIT, ExitError } from '../exit.js';

/** `push-manifest validate`: placeholder until the crawler lands (issue 2). */
export async function validate(_manifest: string, _flags: Record<string, unknown>, _out: Output): Promise<number> {
  throw new ExitError(EXIT.USAGE, 'validate: not available yet');
}
