/**
 * A tiny deterministic JSON writer. `JSON.stringify` on an object would move integer-like keys
 * (a page key `404`) to the front and lose our order, so objects are written from ordered pairs.
 * The text matches `JSON.stringify(value, null, 2)` layout: 2-space indent, `{}` when empty.
 */

/** An object to write: `[key, already-rendered value]` pairs in output order. */
export type RenderedPairs = ReadonlyArray<readonly [string, (indent: string) => string]>;

/** Render ordered pairs as a JSON object at the given indentation. */
export function renderObject(pairs: RenderedPairs, indent = ''): string {
  if (pairs.length === 0) return '{}';
  const inner = `${indent}  `;
  const body = pairs.map(([key, render]) => `${inner}${JSON.stringify(key)}: ${render(inner)}`).join(',\n');
  return `{\n${body}\n${indent}}`;
}

/** A renderer for a plain JSON value (string, number, boolean, array, object from the input). */
export function jsonValue(value: unknown): (indent: string) => string {
  return (indent) => (JSON.stringify(value, null, 2) ?? 'null').replace(/\n/g, `\n${indent}`);
}
