/**
 * The pure parsing step: file text in, plain refs out. No I/O and no URL resolution, so it can
 * run in a worker thread or behind a cache; its output survives structured cloning.
 */
import { extractCss } from './css.js';
import { extractHtml } from './html.js';
import { extractJs, jsReady } from './js.js';
import type { FileExtract, FileKind } from './types.js';

export { jsReady } from './js.js';

/**
 * Every URL a file references, in document order, with line/column and the attributes that
 * decide type and order. `kind: 'js'` needs {@link jsReady} to have resolved first.
 */
export function extractFile(kind: FileKind, text: string): FileExtract {
  switch (kind) {
    case 'html':
      return extractHtml(text);
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
