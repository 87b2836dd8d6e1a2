/**
 * A line file kept on disk and read a line at a time, by where each line is: the caches of a large
 * site are hundreds of MB, more than a run may hold as objects (or, past about 512 MB, V8 can even
 * hold as one string). {@link LineStore.open} scans the file once, handing each line's bytes to
 * the caller, which keeps what it needs to find a line again (its {@link LineSpans} index); a line
 * is read back with {@link LineStore.line}, synchronously, through a small cache of blocks, since
 * the runs read the lines mostly in the order they were written.
 */
import { readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/** Bytes read from the file at a time while scanning. */
const SCAN_CHUNK = 1 << 20;
/** Bytes per cached block, and how many blocks are kept (least recently used dropped first). */
const BLOCK = 1 << 16;
const BLOCKS = 32;
/** A line longer than this is read on its own, not through the blocks. */
const LONG_LINE = 4 * BLOCK;

/** Where lines are in a file: byte offset and length, by the caller's own numbering. */
export class LineSpans {
  private offsets = new Float64Array(1024);
  private lengths = new Float64Array(1024);
  /** How many spans are kept. */
  size = 0;

  /** Keep a span; its index. */
  push(offset: number, length: number): number {
    if (this.size === this.offsets.length) {
      this.offsets = grow(this.offsets);
      this.lengths = grow(this.lengths);
    }
    this.offsets[this.size] = offset;
    this.lengths[this.size] = length;
    return this.size++;
  }

  offset(i: number): number {
    return this.offsets[i]!;
  }

  length(i: number): number {
    return this.lengths[i]!;
  }
}

function grow(array: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
  const next = new Float64Array(array.length * 2);
  next.set(array);
  return next;
}

/**
 * Called with each line of the file, without its newline: `bytes[start, end)` is the line, at byte
 * `offset` of the file (`bytes` is reused after the call). Return false to stop the scan.
 */
export type LineVisitor = (bytes: Buffer, start: number, end: number, offset: number) => boolean | void;

/** An open line file. Close it when done ({@link close}); reading a closed store throws. */
export class LineStore {
  private readonly blocks = new Map<number, Buffer>();
  private closed = false;

  private constructor(
    private readonly handle: FileHandle,
    /** The file's size when it was scanned. */
    readonly size: number,
    /** The file's inode: with {@link size}, tells a writer that the file at the path is still the one scanned. */
    readonly ino: number,
  ) {}

  /**
   * Open `file` and scan it, each line to `visit`. Resolves with the store, and whether the scan
   * ran to the end and the file ended with a newline (false: cut short, or stopped by the visitor).
   * Rejects when the file cannot be opened or read (an `ENOENT` error when there is none).
   */
  static async open(file: string, visit: LineVisitor): Promise<{ store: LineStore; complete: boolean }> {
    const handle = await open(file, 'r');
    try {
      let buffer = Buffer.allocUnsafe(SCAN_CHUNK);
      // Bytes of the current, unfinished line sit at [0, kept) of the buffer.
      let kept = 0;
      let position = 0;
      let stopped = false;
      for (;;) {
        if (kept === buffer.length) {
          const bigger = Buffer.allocUnsafe(buffer.length * 2);
          buffer.copy(bigger, 0, 0, kept);
          buffer = bigger;
        }
        const { bytesRead } = await handle.read(buffer, kept, buffer.length - kept, position);
        if (bytesRead === 0) break;
        const end = kept + bytesRead;
        const base = position - kept;
        position += bytesRead;
        let start = 0;
        for (let newline = buffer.indexOf(10, kept); newline !== -1 && newline < end; newline = buffer.indexOf(10, start)) {
          if (visit(buffer, start, newline, base + start) === false) {
            stopped = true;
            break;
          }
          start = newline + 1;
        }
        if (stopped) break;
        buffer.copy(buffer, 0, start, end);
        kept = end - start;
      }
      if (!stopped && kept > 0) visit(buffer, 0, kept, position - kept);
      const { ino } = await handle.stat();
      return { store: new LineStore(handle, position, ino), complete: !stopped && kept === 0 };
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
  }

  /** The text of the line at `offset`, `length` bytes long (as {@link LineVisitor} was told it). */
  line(offset: number, length: number): string {
    if (this.closed) throw new Error('the line file is closed');
    const first = Math.floor(offset / BLOCK);
    if (length > 0 && length <= LONG_LINE && first === Math.floor((offset + length - 1) / BLOCK)) {
      const start = offset - first * BLOCK;
      return this.block(first).toString('utf8', start, start + length);
    }
    return this.bytes(offset, length).toString('utf8');
  }

  /**
   * The bytes of the line at `offset`, `length` bytes long: to copy a line to another file without
   * decoding it. They may be a view of a cached block: read them, never write them.
   */
  bytes(offset: number, length: number): Buffer {
    if (this.closed) throw new Error('the line file is closed');
    if (length > LONG_LINE) {
      const bytes = Buffer.allocUnsafe(length);
      this.readFully(bytes, offset);
      return bytes;
    }
    if (length === 0) return Buffer.alloc(0);
    const first = Math.floor(offset / BLOCK);
    const last = Math.floor((offset + length - 1) / BLOCK);
    const parts: Buffer[] = [];
    for (let b = first; b <= last; b++) {
      const block = this.block(b);
      const from = b === first ? offset - b * BLOCK : 0;
      const to = b === last ? offset + length - b * BLOCK : block.length;
      parts.push(block.subarray(from, to));
    }
    // A block is never written once read, so a view of it stays the line's bytes after it is evicted.
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  /** Close the file (before it is replaced: some systems do not rename over an open file). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.blocks.clear();
    await this.handle.close();
  }

  private block(n: number): Buffer {
    let block = this.blocks.get(n);
    if (block !== undefined) {
      // Most recently used last: a Map iterates in insertion order.
      this.blocks.delete(n);
    } else {
      block = Buffer.allocUnsafe(Math.min(BLOCK, this.size - n * BLOCK));
      this.readFully(block, n * BLOCK);
      if (this.blocks.size >= BLOCKS) this.blocks.delete(this.blocks.keys().next().value!);
    }
    this.blocks.set(n, block);
    return block;
  }

  private readFully(bytes: Buffer, position: number): void {
    let done = 0;
    while (done < bytes.length) {
      const n = readSync(this.handle.fd, bytes, done, bytes.length - done, position + done);
      if (n === 0) throw new Error('the line file is shorter than when it was scanned');
      done += n;
    }
  }
}
