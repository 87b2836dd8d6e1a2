/**
 * The parsing step. `extractFile` is pure: file text in, plain refs out, no I/O and no URL
 * resolution, so it can run in a worker thread or behind a cache, and its output survives
 * structured cloning. The default {@link FileParser} (`createFileParser`) reads a file, decodes
 * it and calls `extractFile` in this thread.
 */
import { readFileSync } from 'node:fs';
import { extractCss } from './css.js';
import { extractHtmlFast } from './html-tokens.js';
import { extractJs, jsReady } from './js.js';
import type { FileExtract, FileKind, FileParser, FileReadError } from './types.js';

export { jsReady } from './js.js';
export { isFileReadError } from './types.js';
export type { FileExtract, FileKind, FileParser, FileReadError, Ref, RefSource, Candidate, ExtractWarning } from './types.js';

/**
 * Every URL a file references, in document order, with line/column and the attributes that
 * decide type and order. `kind: 'js'` needs {@link jsReady} to have resolved first.
 */
export function extractFile(kind: FileKind, text: string): FileExtract {
  switch (kind) {
    case 'html':
      // The tokenizer-driven path, equal to html.ts's tree walk (differential test), falling back to it.
      return extractHtmlFast(text);
    case 'css':
      return extractCss(text);
    case 'js':
      return extractJs(text);
  }
}

/** Make sure every kind can be extracted synchronously (initialises the module lexer). */
export async function extractReady(): Promise<void> {
  await jsReady();
}

const lenient = new TextDecoder('utf-8');
const strict = new TextDecoder('utf-8', { fatal: true });

/**
 * Decode bytes as UTF-8 (a BOM is dropped). Invalid sequences become U+FFFD and `valid` is false,
 * so the crawl goes on with what is readable and the caller can warn.
 */
export function decodeUtf8(bytes: Uint8Array): { text: string; valid: boolean } {
  const text = lenient.decode(bytes);
  if (!text.includes('\uFFFD')) return { text, valid: true };
  // A real U+FFFD in the file is fine; only a failed strict decode means bad bytes.
  try {
    strict.decode(bytes);
    return { text, valid: true };
  } catch {
    return { text, valid: false };
  }
}

/** Read, decode and extract one file. Never throws for a file problem: returns a {@link FileReadError}. */
export async function parseFile(kind: FileKind, absPath: string): Promise<FileExtract | FileReadError> {
  let bytes: Buffer;
  try {
    // Synchronous: the file is parsed on this thread right after, and fs/promises' readFile (open,
    // fstat, read, close, each a round trip through the thread pool) cost more than the read itself.
    bytes = readFileSync(absPath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EREAD';
    return { kind: 'error', code, message: (error as Error).message };
  }
  return parseBytes(kind, bytes);
}

/** Decode and extract a file's bytes, as {@link parseFile} does after reading them. */
export async function parseBytes(kind: FileKind, bytes: Uint8Array): Promise<FileExtract> {
  // HTML too: an inline <script type=module> goes through the module lexer.
  if (kind === 'js' || kind === 'html') await extractReady();
  const { text, valid } = decodeUtf8(bytes);
  const extract = extractFile(kind, text);
  extract.bytes = bytes.byteLength;
  if (!valid) {
    // Point at the first replacement character: the first bad byte, unless the file also holds a real U+FFFD before it.
    const index = text.indexOf('\uFFFD');
    const before = text.slice(0, index);
    const line = before.split('\n').length;
    const column = index - before.lastIndexOf('\n');
    extract.warnings.unshift({ line, column, code: 'NOT_UTF8', message: 'not valid UTF-8; invalid bytes read as U+FFFD' });
  }
  return extract;
}

/** The in-process parser: every call reads and parses on the main thread. */
export function createFileParser(): FileParser {
  return { parse: parseFile, parseBytes: (kind, _absPath, bytes) => parseBytes(kind, bytes) };
}
