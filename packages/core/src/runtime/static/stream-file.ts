/**
 * The one way a response here reads a file from disk (static responses on HTTP/1.1 and HTTP/2,
 * pushed files of any source): open, describe the open descriptor, then stream a range of it
 * through a JS read stream. The descriptor's own stats decide the headers, because a cached
 * lookup may be older than the file: a length from before an edit would truncate or hang the
 * response. Not respondWithFile/respondWithFD: see http2.ts.
 */
import type { Stats } from 'node:fs';
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream';

/** Bytes to send, both ends included. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Open `path`; `begin` gets the descriptor's stats, writes the response headers and returns the
 * range to send, or undefined when it answered without a body (a 304, a HEAD, an empty file).
 * Resolves with the error that kept the file from opening (nothing written then), else undefined
 * once the body is under way; `finished` is called when it is sent or abandoned (a client that
 * went away ends the pipeline and closes the descriptor). Rejects when `begin` or the fstat fails.
 */
export async function streamFile(
  path: string,
  begin: (stats: Stats) => ByteRange | undefined,
  target: NodeJS.WritableStream,
  finished: () => void = () => undefined,
): Promise<NodeJS.ErrnoException | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    return error as NodeJS.ErrnoException;
  }
  let owned = false; // once the read stream has the descriptor, it closes it
  try {
    const range = begin(await handle.stat());
    if (range === undefined) {
      finished();
      return undefined;
    }
    const body = createReadStream('', { fd: handle, start: range.start, end: range.end });
    owned = true;
    pipeline(body, target, () => finished());
    return undefined;
  } finally {
    if (!owned) await handle.close().catch(() => undefined);
  }
}
