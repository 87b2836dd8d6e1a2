/**
 * Build and parse `Link` header values (RFC 8288). The builder is used once per route when a
 * manifest loads; the parser reads the `link` request header of client-requested pushes, so it
 * must be total: any input gives a (possibly empty) list, never an exception.
 */
import type { PreconnectHint, Resource } from '../manifest/model.js';

/** One link parameter: `name` alone (`crossorigin`, `nopush`) or `name=value`. */
export type LinkParam = readonly [name: string, value?: string];

/** A link: target URL and its parameters, in order. */
export interface LinkValue {
  url: string;
  params: readonly LinkParam[];
}

/** A parsed link. Parameter names are lower-cased; for a repeated parameter the first wins (RFC 8288 §3.3). */
export interface ParsedLink {
  url: string;
  params: ReadonlyMap<string, string>;
}

// RFC 7230 tchar.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Anything a header field value cannot carry safely (controls, space; non-ASCII, which Node refuses
// above U+00FF and would send as Latin-1 below), or that ends the `<…>` of a link. `,` and `;` are
// fine: RFC 8288 allows any URI-reference inside `<…>`, and every parser here reads up to the `>`.
const UNSAFE_URL = /[\u0000-\u0020<>\u007f-\uffff]/;
// Controls other than HTAB cannot appear in a quoted-string.
const UNSAFE_VALUE = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/** Whether `url` can be written between `<` and `>` without breaking or injecting into the header. */
export function isSafeLinkUrl(url: string): boolean {
  return url.length > 0 && !UNSAFE_URL.test(url);
}

/** Whether `name` is an RFC 7230 token. */
export function isToken(name: string): boolean {
  return TOKEN.test(name);
}

/** Quote a parameter value unless it is a token. Throws on characters no header may carry. */
export function formatParamValue(value: string): string {
  if (TOKEN.test(value)) return value;
  if (UNSAFE_VALUE.test(value)) throw new TypeError(`Link parameter value contains a control character: ${JSON.stringify(value)}`);
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/**
 * Format one link, e.g. `</app.css>; rel=preload; as=style`.
 * Throws a TypeError for a URL or parameter that would break the header: callers validate their
 * input first (the manifest loader rejects such URLs), this is the last line of defence.
 */
export function formatLink(link: LinkValue): string {
  if (!isSafeLinkUrl(link.url)) throw new TypeError(`URL cannot be written in a Link header: ${JSON.stringify(link.url)}`);
  let out = `<${link.url}>`;
  for (const [name, value] of link.params) {
    if (!TOKEN.test(name)) throw new TypeError(`Link parameter name is not a token: ${JSON.stringify(name)}`);
    out += value === undefined ? `; ${name}` : `; ${name}=${formatParamValue(value)}`;
  }
  return out;
}

/** Format several links as one header value, comma-separated. */
export function formatLinks(links: readonly LinkValue[]): string {
  return links.map(formatLink).join(', ');
}

/** Whether a resource is hinted as a module (`rel=modulepreload`). */
function isModule(resource: Resource): boolean {
  return resource.rel === 'modulepreload';
}

/**
 * The link for a manifest resource: `rel=preload; as=<type>` or `rel=modulepreload`, `crossorigin`
 * for fonts (always fetched in CORS mode: without it the preload is not reused and the font
 * downloads twice) and wherever the manifest says so, `media`, `imagesrcset`/`imagesizes`,
 * `fetchpriority` and `type` when set, `nopush` when asked.
 */
export function resourceLink(resource: Resource, nopush: boolean): LinkValue {
  const params: LinkParam[] = [];
  if (isModule(resource)) {
    params.push(['rel', 'modulepreload']);
  } else {
    params.push(['rel', 'preload'], ['as', resource.type]);
  }
  const crossorigin = resource.crossorigin ?? (resource.type === 'font' ? 'anonymous' : undefined);
  // `crossorigin` alone means anonymous; spelling it out would only make the header longer.
  if (crossorigin === 'anonymous') params.push(['crossorigin']);
  else if (crossorigin === 'use-credentials') params.push(['crossorigin', 'use-credentials']);
  if (resource.media !== undefined && resource.media !== '' && resource.media !== 'all') params.push(['media', resource.media]);
  if (resource.imagesrcset !== undefined && resource.imagesrcset !== '') {
    params.push(['imagesrcset', resource.imagesrcset]);
    if (resource.imagesizes !== undefined && resource.imagesizes !== '') params.push(['imagesizes', resource.imagesizes]);
  }
  if (resource.fetchpriority !== undefined) params.push(['fetchpriority', resource.fetchpriority]);
  if (resource.mimeType !== undefined && resource.mimeType !== '') params.push(['type', resource.mimeType]);
  if (nopush) params.push(['nopush']);
  return { url: resource.url, params };
}

/**
 * The link for a `rel=preconnect` hint, with `crossorigin` when the fetches it serves are CORS
 * fetches (browsers pool those connections apart, so without it a font's connection is not warmed).
 */
export function preconnectLink(hint: PreconnectHint): LinkValue {
  const params: LinkParam[] = [['rel', 'preconnect']];
  if (hint.crossorigin === 'anonymous') params.push(['crossorigin']);
  else if (hint.crossorigin === 'use-credentials') params.push(['crossorigin', 'use-credentials']);
  return { url: hint.origin, params };
}

/**
 * Node's own check on `writeEarlyHints` links (lib/internal/validators.js, `linkValueRegExp`): it
 * rejects quoted values with spaces, such as `media="(min-width: 40em)"`, that RFC 8288 allows.
 * Links that fail it go out through `stream.additionalHeaders` instead (see early-hints.ts).
 */
const NODE_LINK_VALUE = /^(?:<[^>]*>)(?:\s*;\s*[^;"\s]+(?:=(")?[^;"\s]*\1)?)*$/;

/** Whether Node's `writeEarlyHints` accepts this single link value. */
export function isNodeEarlyHintSafe(link: string): boolean {
  return NODE_LINK_VALUE.test(link);
}

/**
 * Parse a `Link` header value into its links. Malformed links are skipped up to the next
 * top-level comma; the result never throws. `maxLinks` bounds the work on hostile input.
 */
export function parseLinkHeader(value: string, maxLinks = 64): ParsedLink[] {
  const links: ParsedLink[] = [];
  const n = value.length;
  let i = 0;

  const skipOws = (): void => {
    while (i < n && (value[i] === ' ' || value[i] === '\t')) i++;
  };
  // Skip to just after the next comma that is outside a quoted string and outside <…>.
  const skipToNextLink = (): void => {
    let quoted = false;
    let inUrl = false;
    while (i < n) {
      const c = value[i++];
      if (quoted) {
        if (c === '\\') i++;
        else if (c === '"') quoted = false;
      } else if (inUrl) {
        if (c === '>') inUrl = false;
      } else if (c === '"') quoted = true;
      else if (c === '<') inUrl = true;
      else if (c === ',') return;
    }
  };

  while (i < n && links.length < maxLinks) {
    skipOws();
    if (value[i] === ',') {
      i++;
      continue;
    }
    if (i >= n) break;
    if (value[i] !== '<') {
      skipToNextLink();
      continue;
    }
    const close = value.indexOf('>', i + 1);
    if (close < 0) break;
    const url = value.slice(i + 1, close);
    i = close + 1;
    const params = new Map<string, string>();
    let ok = true;
    for (;;) {
      skipOws();
      if (i >= n || value[i] === ',') break;
      if (value[i] !== ';') {
        ok = false;
        break;
      }
      i++;
      skipOws();
      const nameStart = i;
      while (i < n && /[!#$%&'*+\-.^_`|~0-9A-Za-z]/.test(value[i] as string)) i++;
      const name = value.slice(nameStart, i).toLowerCase();
      if (name === '') {
        ok = false;
        break;
      }
      skipOws();
      let paramValue = '';
      if (value[i] === '=') {
        i++;
        skipOws();
        if (value[i] === '"') {
          i++;
          let text = '';
          let closed = false;
          while (i < n) {
            const c = value[i++] as string;
            if (c === '\\' && i < n) text += value[i++];
            else if (c === '"') {
              closed = true;
              break;
            } else text += c;
          }
          if (!closed) {
            ok = false;
            break;
          }
          paramValue = text;
        } else {
          const start = i;
          while (i < n && value[i] !== ';' && value[i] !== ',' && value[i] !== ' ' && value[i] !== '\t') i++;
          paramValue = value.slice(start, i);
        }
      }
      if (!params.has(name)) params.set(name, paramValue);
    }
    if (ok) links.push({ url, params });
    else skipToNextLink();
  }
  return links;
}

/** The `rel` of a parsed link as lower-case tokens (`rel` is a space-separated list). */
export function relTokens(link: ParsedLink): string[] {
  const rel = link.params.get('rel');
  return rel === undefined ? [] : rel.toLowerCase().split(/[ \t]+/).filter((token) => token !== '');
}
