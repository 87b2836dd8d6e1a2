/**
 * An in-memory file source for the crawl: a bundler's plugin has every emitted HTML page and
 * stylesheet in memory before anything is written, and crawls them there. Files the map does not
 * hold fall through to disk (a bundler copies `public/` files as they are).
 */
import { createFileParser, extractFile, extractReady, parseBytes } from './extract.js';
import type { FileExtract, FileKind, FileParser, FileReadError } from './types.js';

/**
 * A file whose contents are only produced if the crawl parses it (a script it only lists). `read`
 * may answer later: the bundle step's worker asks the bundler's thread for a file it did not send.
 */
export interface LazyFile {
  readonly size: number;
  read(): string | Uint8Array | Promise<string | Uint8Array>;
}

/** One emitted file: text, bytes as the bundler holds them, or a lazy one. */
export type MemoryFile = string | Uint8Array | LazyFile;

/** Emitted files by absolute path. */
export type MemoryFiles = ReadonlyMap<string, MemoryFile>;

/**
 * A {@link FileParser} over files in memory, with `stat` answering for them, so the crawl never
 * touches the disk for a file the map holds. Others are read by `fallback` (default: from disk).
 */
export function createMemoryParser(files: MemoryFiles, fallback: FileParser = createFileParser()): FileParser {
  return {
    async parse(kind: FileKind, absPath: string): Promise<FileExtract | FileReadError> {
      const entry = files.get(absPath);
      if (entry === undefined) return fallback.parse(kind, absPath);
      const held = isLazy(entry) ? await entry.read() : entry;
      if (typeof held !== 'string') return parseBytes(kind, held);
      if (kind === 'js') await extractReady();
      const extract = extractFile(kind, held);
      extract.bytes = Buffer.byteLength(held);
      return extract;
    },
    stat(absPath: string) {
      const held = files.get(absPath);
      if (held === undefined) return fallback.stat?.(absPath);
      if (isLazy(held)) return { size: held.size };
      return { size: typeof held === 'string' ? Buffer.byteLength(held) : held.byteLength };
    },
    close: () => fallback.close?.() ?? Promise.resolve(),
  };
}

function isLazy(file: MemoryFile): file is LazyFile {
  return typeof file === 'object' && !(file instanceof Uint8Array);
}
