/**
 * Whether a `media` attribute (a media query list) can match a screen when the page loads. A
 * stylesheet whose media never does (`print`, `speech`, `not all`) is not needed for the first
 * render; one whose media always does (`all`, `screen`) is unconditional; any other query may or
 * may not match, which only the browser knows (a hint then carries the `media`).
 */

/** How a media query list relates to a screen at load. */
export type MediaMatch = 'never' | 'always' | 'maybe';

/**
 * Media types that never match a screen: `print`, `speech`, and the types Media Queries 4
 * deprecated, which match nothing (`tv`, `handheld`…).
 */
const NON_SCREEN_TYPES = new Set(['print', 'speech', 'aural', 'braille', 'embossed', 'handheld', 'projection', 'tty', 'tv']);

/** Split a media query list at commas outside parentheses. */
function splitQueries(media: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < media.length; i++) {
    const c = media[i];
    if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      parts.push(media.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(media.slice(start));
  return parts;
}

/** One media query, lower-cased and trimmed. */
function matchQuery(query: string): MediaMatch {
  if (query === '') return 'never'; // an empty query in a list is invalid: `not all`
  const m = /^(?:(not|only)\s+)?([a-z-]+)(\s+and\s+.*)?$/s.exec(query);
  if (m === null) return query.startsWith('(') ? 'maybe' : 'never'; // features alone; anything else is invalid: `not all`
  const [, modifier, type, rest] = m;
  const screen = type === 'all' || type === 'screen';
  if (!screen && !NON_SCREEN_TYPES.has(type!)) return modifier === 'not' ? 'always' : 'never'; // an unknown type matches nothing
  if (modifier === 'not') {
    if (rest !== undefined) return screen ? 'maybe' : 'always';
    return screen ? 'never' : 'always';
  }
  if (!screen) return 'never';
  return rest === undefined ? 'always' : 'maybe';
}

/** Whether `media` can match a screen at load. An empty or all-whitespace `media` is `all`. */
export function screenMatch(media: string): MediaMatch {
  const text = media.trim().toLowerCase().replace(/\s+/g, ' ');
  if (text === '') return 'always';
  let result: MediaMatch = 'never';
  for (const part of splitQueries(text)) {
    const match = matchQuery(part.trim());
    if (match === 'always') return 'always';
    if (match === 'maybe') result = 'maybe';
  }
  return result;
}

/**
 * A query matching exactly when `media` does not, or undefined when the list cannot be negated in
 * Media Queries 3 syntax (a list of several queries, or one that already starts with `not`/`only`).
 */
export function negateMedia(media: string): string | undefined {
  const text = media.trim().replace(/\s+/g, ' ');
  if (text === '' || splitQueries(text).length > 1 || /^(?:not|only)\s/i.test(text)) return undefined;
  return text.startsWith('(') ? `not all and ${text}` : `not ${text}`;
}
