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
  private chunk: string[] = [];
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
    const text = `${this.chunk.join('\n')}\n`;
    this.chunk = [];
    this.queued++;
    // One write at a time: a file handle's writes must not overlap.
    this.writing = this.writing.then(async () => {
      try {
        if (this.failure === undefined) await this.handle!.write(text);
      } catch (error) {
        this.failure = error;
      } finally {
        this.queued--;
      }
    });
  }
}
