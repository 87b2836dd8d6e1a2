import { randomBytes } from 'node:crypto';
import { readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The temp file names writeFileAtomic uses for `name`: `.name.<pid>.<8 hex>.tmp`. */
function tempPattern(name: string): RegExp {
  return new RegExp(`^\\.${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(\\d+)\\.[0-9a-f]{8}\\.tmp$`);
}

/** Whether a process with this id is running (a temp file of a live writer must stay). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove the temp files a writer of `file` left when it was killed (SIGKILL, power loss) between
 * writing its temp file and the rename: those of processes no longer running.
 */
export async function removeStaleTemps(file: string): Promise<void> {
  const pattern = tempPattern(basename(file));
  let names: string[];
  try {
    names = await readdir(dirname(file));
  } catch {
    return; // the folder is missing: the write below says so
  }
  for (const name of names) {
    const pid = Number(pattern.exec(name)?.[1]);
    if (pid > 0 && pid !== process.pid && !alive(pid)) await rm(join(dirname(file), name), { force: true });
  }
}

/**
 * Write a file so that readers see either the old content or the new, never a truncated mix:
 * write a temp file in the same folder (same file system, so the rename is atomic), then rename.
 * Temp files left by killed writers of the same file are removed first.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await removeStaleTemps(file);
  const temp = atomicTempPath(file);
  try {
    await writeFile(temp, data);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * A fresh temp file name beside `file` (`.name.<pid>.<8 hex>.tmp`): what {@link writeFileAtomic}
 * writes before its rename, for writers that fill the file in parts. {@link removeStaleTemps}
 * removes those a killed writer left.
 */
export function atomicTempPath(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}
