/**
 * Line files for the caches: written atomically a chunk of lines at a time, read a line at a time,
 * so a cache of tens of MB is never one string in memory (nor, for the reader, is the whole file).
 */
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { atomicTempPath, removeStaleTemps } from './atomic-write.js';

/** Lines joined before each write: one system call per chunk, never the whole file as one string. */
const CHUNK = 256;

/** The lines of `file`, one at a time (rejects when it cannot be opened or read). */
export function readLines(file: string): AsyncIterable<string> {
  return createInterface({ input: createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 16 }), crlfDelay: Infinity });
}

/**
 * A line file filled during a run and renamed into place at its end (atomically, as
 * `writeFileAtomic`): what a cache holds need not stay in memory until the end. Made and fed
 * synchronously; the folder, the temp file and the writes go out one after another in the
 * background, a chunk of lines at a time, and their first error is reported by `commit` (which then
 * removes the temp file). `abort` removes it too.
 */
export class LineFileWriter {
  private chunk: (string | Uint8Array)[] = [];
  /** Whether the chunk holds any bytes (then it is written as bytes, not joined as text). */
  private chunkHasBytes = false;
  private writing: Promise<void>;
  private handle: FileHandle | undefined;
  private readonly temp: string;
  /** Chunks handed to the file and not yet written. */
  private queued = 0;
  private failure: unknown;

  /** Start the temp file of `file`, its folder made if missing (temp files of killed writers removed first). */
  constructor(private readonly file: string) {
    const temp = (this.temp = atomicTempPath(file));
    this.writing = (async () => {
      try {
        await mkdir(dirname(file), { recursive: true });
        await removeStaleTemps(file);
        this.handle = await open(temp, 'w');
      } catch (error) {
        this.failure = error;
      }
    })();
  }

  /** Queue one line (holding no newline). */
  add(line: string): void {
    this.chunk.push(line);
    if (this.chunk.length === CHUNK) this.flush();
  }

  /** Queue one line as bytes (UTF-8, holding no newline): a line copied from another file as it is. */
  addBytes(line: Uint8Array): void {
    this.chunk.push(line);
    this.chunkHasBytes = true;
    if (this.chunk.length === CHUNK) this.flush();
  }

  /** True when chunks wait to be written: a writer that can wait should ({@link drained}), so they do not pile up in memory. */
  get backlogged(): boolean {
    return this.queued > 2;
  }

  /** Resolves when every chunk handed over so far is written. */
  drained(): Promise<void> {
    return this.writing;
  }

  /** The first error so far (the folder or file could not be made, or a write failed). */
  get error(): unknown {
    return this.failure;
  }

  /** Write what is queued and rename the file into place; on any error, remove it and reject. */
  async commit(): Promise<void> {
    this.flush();
    await this.writing;
    if (this.failure !== undefined) {
      await this.abort();
      throw this.failure;
    }
    try {
      await this.handle!.close();
      await rename(this.temp, this.file);
    } catch (error) {
      await rm(this.temp, { force: true });
      throw error;
    }
  }

  /** Give up: close and remove the temp file. */
  async abort(): Promise<void> {
    this.chunk = [];
    await this.writing;
    await this.handle?.close().catch(() => undefined);
    await rm(this.temp, { force: true });
  }

  private flush(): void {
    if (this.chunk.length === 0) return;
    const text = this.chunkHasBytes ? joinBytes(this.chunk) : `${this.chunk.join('\n')}\n`;
    this.chunk = [];
    this.chunkHasBytes = false;
    this.queued++;
    // One write at a time: a file handle's writes must not overlap.
    this.writing = this.writing.then(async () => {
      try {
        if (this.failure === undefined) await writeAll(this.handle!, text);
      } catch (error) {
        this.failure = error;
      } finally {
        this.queued--;
      }
    });
  }
}

/**
 * Append lines to `file` at byte `at`, but only while it is still the file a run read (`at` its
 * size, `ino` its inode): false, writing nothing, when it is not (another run replaced or extended
 * it) or cannot be opened. For files whose every appended part ends with a trailer that names `at`,
 * so a reader can tell a part cut short, or two written over each other, and ignore the file.
 * Rejects when the write fails.
 */
export async function appendLinesAt(file: string, lines: readonly string[], at: number, ino: number): Promise<boolean> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r+');
  } catch {
    return false;
  }
  try {
    const now = await handle.stat();
    if (now.size !== at || now.ino !== ino) return false;
    let bytes = Buffer.from(`${lines.join('\n')}\n`);
    let position = at;
    while (bytes.length > 0) {
      const { bytesWritten } = await handle.write(bytes, 0, bytes.length, position);
      bytes = bytes.subarray(bytesWritten);
      position += bytesWritten;
    }
    return true;
  } finally {
    await handle.close();
  }
}

/** Where a cache's lines go: the temp file of a {@link LineFileWriter}, or {@link HeldLines} for an append. */
export type LineSink = Pick<LineFileWriter, 'add' | 'addBytes' | 'backlogged' | 'drained'>;

/** Lines held in memory for {@link appendLinesAt}, fed as a {@link LineFileWriter} is. */
export class HeldLines implements LineSink {
  readonly lines: string[] = [];
  /** Their length in UTF-16 units: near enough their bytes to bound what is held. */
  size = 0;
  readonly backlogged = false;

  add(line: string): void {
    this.lines.push(line);
    this.size += line.length;
  }

  addBytes(line: Uint8Array): void {
    this.add(Buffer.from(line).toString('utf8'));
  }

  drained(): Promise<void> {
    return Promise.resolve();
  }
}

const NEWLINE = Buffer.from('\n');

/** Lines of text and of bytes as one buffer, each followed by a newline. */
function joinBytes(lines: readonly (string | Uint8Array)[]): Buffer {
  const parts: Uint8Array[] = [];
  for (const line of lines) parts.push(typeof line === 'string' ? Buffer.from(line) : line, NEWLINE);
  return Buffer.concat(parts);
}

/** Write all of `data` at the file's position (a write may take fewer bytes than it was given). */
async function writeAll(handle: FileHandle, data: string | Buffer): Promise<void> {
  let bytes = typeof data === 'string' ? Buffer.from(data) : data;
  while (bytes.length > 0) {
    const { bytesWritten } = await handle.write(bytes);
    bytes = bytes.subarray(bytesWritten);
  }
}
