/**
 * Quoting shared by the config syntaxes whose strings are `"…"` with backslash escapes (nginx,
 * Apache, Caddy), and regular-expression escaping for the ones that match routes by regex.
 */

/** A double-quoted config string: `\` and `"` escaped with a backslash. */
export function quoted(text: string): string {
  return `"${text.replace(/[\\"]/g, '\\$&')}"`;
}

/** A literal string as a regular expression that matches exactly it (PCRE, RE2 and JS agree on these). */
export function regexLiteral(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The regex of an exact match on any of `paths`. */
export function exactRegex(paths: readonly string[]): string {
  return paths.length === 1 ? `^${regexLiteral(paths[0] as string)}$` : `^(?:${paths.map(regexLiteral).join('|')})$`;
}

/** Control characters, which no config line can carry. */
export const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * The regex a `*` (every page) route is written as where a target needs one: paths ending in
 * `/` or `.html`, i.e. pages, not their assets.
 */
export const ANY_PAGE_REGEX = '(?:/|\\.html?)$';

/**
 * `own` restricted to paths none of `before` match: servers that apply every matching block
 * (Apache, Caddy) would otherwise send two Link headers where the runtime picks one route
 * (literal pages, then patterns in manifest order, then `*`). PCRE only (negative lookahead).
 */
export function excludingRegex(own: string, before: readonly string[]): string {
  return before.length === 0 ? own : `^(?!${before.map((regex) => `(?:${regex})`).join('|')}).*?(?:${own})`;
}
