/**
 * Deterministic JSON text. `JSON.stringify` on a whole manifest object would move integer-like
 * keys (a page key `404`) to the front and lose our order, so the writers build objects from
 * ordered parts and use this for the values inside (unknown fields copied from the input).
 * The layout matches `JSON.stringify(value, null, 2)`: 2-space indent, `{}` when empty.
 */

/** A JSON value rendered at `indent` (the indentation of the line it starts on). */
export function renderJsonValue(value: unknown, indent: string): string {
  const text = JSON.stringify(value, null, 2) ?? 'null';
  return typeof value === 'object' && value !== null ? text.replace(/\n/g, `\n${indent}`) : text;
}

/** `[key, rendered value]` pairs as a JSON object at `indent`. */
export function renderObject(pairs: ReadonlyArray<readonly [string, string]>, indent = ''): string {
  if (pairs.length === 0) return '{}';
  const inner = `${indent}  `;
  return `{\n${pairs.map(([key, value]) => `${inner}${JSON.stringify(key)}: ${value}`).join(',\n')}\n${indent}}`;
}
