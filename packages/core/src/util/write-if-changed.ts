import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from './atomic-write.js';

/**
 * Write `data` to `file` atomically ({@link writeFileAtomic}) unless the file already holds exactly
 * these bytes; resolves true when it wrote. Leaving an unchanged file alone keeps its mtime and
 * inode, so a server that reloads on change (and every watcher downstream) is not woken for nothing.
 */
export async function writeFileIfChanged(file: string, data: string | Uint8Array): Promise<boolean> {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  const current = await readFile(file).catch(() => undefined);
  if (current !== undefined && current.equals(bytes)) return false;
  await writeFileAtomic(file, bytes);
  return true;
}
