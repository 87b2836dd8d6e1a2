/**
 * JavaScript module → its static imports, with es-module-lexer (the lexer Vite uses). Only
 * static `import`/`export … from` count: a dynamic `import()` runs later, if ever, and is never
 * hinted. es-module-lexer is WebAssembly and must be initialised once: await {@link jsReady}.
 */
import { init, parse } from 'es-module-lexer';
import type { ExtractWarning, FileExtract, Ref } from './types.js';

let initialised = false;
let initialising: Promise<void> | undefined;

/** Resolve once the module lexer can be used; call before {@link extractJs}. */
export function jsReady(): Promise<void> {
  initialising ??= init().then(() => {
    initialised = true;
  });
  return initialising;
}

/** Where the script text sits in its file. */
export interface JsExtractOptions {
  line?: number;
  column?: number;
}

/** Extract the static module imports of a script. Pure apart from needing {@link jsReady} first. */
export function extractJs(text: string, options: JsExtractOptions = {}): FileExtract {
  if (!initialised) throw new Error('extractJs called before jsReady() resolved');
  const refs: Ref[] = [];
  const warnings: ExtractWarning[] = [];
  const firstLine = options.line ?? 1;
  const firstColumn = options.column ?? 1;
  let imports;
  try {
    [imports] = parse(text);
  } catch (error) {
    const index = (error as { idx?: number }).idx;
    const pos = index === undefined ? { line: firstLine, column: firstColumn } : positionAt(text, index, firstLine, firstColumn);
    warnings.push({ ...pos, code: 'JS_PARSE', message: `JavaScript could not be lexed; its imports are not followed` });
    return { kind: 'js', refs, warnings };
  }
  for (const entry of imports) {
    if (entry.type !== 'static' && entry.type !== 'reexport-star') continue;
    if (entry.typeOnly || entry.phase === 'source') continue;
    // JSON and CSS modules are not modulepreload-able scripts.
    if (entry.attributes?.some(([key]) => key === 'type')) continue;
    refs.push({ url: entry.specifier, source: 'js-import', as: 'script', module: true, ...positionAt(text, entry.start, firstLine, firstColumn) });
  }
  return { kind: 'js', refs, warnings };
}

function positionAt(text: string, index: number, firstLine: number, firstColumn: number): { line: number; column: number } {
  let line = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return line === 0 ? { line: firstLine, column: firstColumn + index } : { line: firstLine + line, column: index - lineStart + 1 };
}
