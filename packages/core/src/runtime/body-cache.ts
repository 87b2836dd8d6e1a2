/**
 * Small files kept in memory for the HTTP/2 fast path. Every use is checked against a fresh
 * `stat` of the file (size, mtime, inode), so an edited or replaced file is never served stale:
 * the cache only saves the open/fstat/read/close round trips through libuv's thread pool.
 */
import { statSync, type Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';

/** Limits of a {@link BodyCache}. */
export interface BodyCacheOptions {
  /** Largest file kept, in bytes. Default 64 KiB (HTML, CSS, most scripts and fonts of a page). */
  maxFileBytes?: number;
  /** Total bytes kept; the oldest entries go first. Default 32 MiB. */
  maxBytes?: number;
}

/** A cached body and the file identity it was read from. */
export interface CachedBody {
  size: number;
  mtimeMs: number;
  ino: number;
  body: Buffer;
}

const same = (a: Stats | CachedBody, b: Stats | CachedBody) => a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;

/** Bodies of small files by real path. */
export class BodyCache {
  readonly maxFileBytes: number;
  readonly maxBytes: number;
  #entries = new Map<string, CachedBody>();
  #bytes = 0;
  #loading = new Set<string>();

  constructor(options: BodyCacheOptions = {}) {
    this.maxFileBytes = options.maxFileBytes ?? 64 * 1024;
    this.maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
  }

  /**
   * The body of `path` if it is cached AND the file on disk is still the one cached. The stat is
   * synchronous on purpose: one cheap syscall on the event loop instead of three thread-pool
   * round trips; only files already known to be small and present get here.
   */
  get(path: string): CachedBody | undefined {
    const entry = this.#entries.get(path);
    if (entry === undefined) return undefined;
    const now = statSync(path, { throwIfNoEntry: false });
    if (now !== undefined && same(now, entry)) return entry;
    this.delete(path);
    return undefined;
  }

  /** Read `path` into the cache in the background, if it is small; a file that changes while read is not kept. */
  load(path: string, size: number): void {
    if (size > this.maxFileBytes || this.#loading.has(path) || this.#entries.has(path)) return;
    this.#loading.add(path);
    (async () => {
      const before = await stat(path);
      const body = await readFile(path);
      const after = await stat(path);
      if (!same(before, after) || body.length !== after.size || after.size > this.maxFileBytes) return;
      this.delete(path);
      while (this.#bytes + body.length > this.maxBytes && this.#entries.size > 0) {
        const oldest = this.#entries.keys().next();
        if (oldest.done) break;
        this.delete(oldest.value);
      }
      if (body.length > this.maxBytes) return;
      this.#entries.set(path, { size: after.size, mtimeMs: after.mtimeMs, ino: after.ino, body });
      this.#bytes += body.length;
    })()
      .catch(() => undefined)
      .finally(() => this.#loading.delete(path));
  }

  delete(path: string): void {
    const entry = this.#entries.get(path);
    if (entry === undefined) return;
    this.#entries.delete(path);
    this.#bytes -= entry.body.length;
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }
}
