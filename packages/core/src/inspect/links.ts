/** Reading `Link` and `set-cookie` headers into {@link SeenLink}s and {@link SeenCookie}s. */
import { parseLinkHeader, relTokens } from '../runtime/link-header.js';
import type { SeenCookie, SeenLink } from './types.js';

/** Most links read from one header: a hostile server cannot make the report grow without bound. */
export const MAX_LINKS_READ = 1000;

/** A header as Node hands it over (one string, several, or none) as one comma-joined value. */
export function headerValue(value: string | string[] | number | undefined): string {
  if (value === undefined) return '';
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/** The same-origin path of a link target, or undefined for another origin. */
export function linkPath(target: string, origin: URL): string | undefined {
  if (target.startsWith('/') && !target.startsWith('//')) return target;
  let url: URL;
  try {
    url = new URL(target, origin);
  } catch {
    return undefined;
  }
  return url.origin === origin.origin ? url.pathname + url.search : undefined;
}

/** Parse a `Link` header value; `origin` tells same-origin targets from others. */
export function readLinks(value: string, origin: URL): SeenLink[] {
  return parseLinkHeader(value, MAX_LINKS_READ).map((link) => {
    const params = Object.fromEntries(link.params);
    return {
      url: link.url,
      path: linkPath(link.url, origin),
      rel: relTokens(link),
      as: link.params.get('as')?.toLowerCase(),
      crossorigin: link.params.get('crossorigin'),
      nopush: link.params.has('nopush'),
      media: link.params.get('media'),
      params,
    };
  });
}

/** Whether a link asks the browser to fetch its target (preload or modulepreload). */
export function isFetchHint(link: SeenLink): boolean {
  return link.rel.includes('preload') || link.rel.includes('modulepreload');
}

const DIGEST_NAME = /digest|casper/i;

/** Read `set-cookie` fields; only a cache digest's value is kept (other cookies may be secrets). */
export function readCookies(value: string | string[] | undefined): SeenCookie[] {
  const fields = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return fields.slice(0, 100).map((field) => {
    const semi = field.indexOf(';');
    const pair = semi < 0 ? field : field.slice(0, semi);
    const eq = pair.indexOf('=');
    const name = (eq < 0 ? pair : pair.slice(0, eq)).trim();
    const digest = DIGEST_NAME.test(name);
    return { name, digest, value: digest ? pair.slice(eq + 1).trim() : undefined, attributes: semi < 0 ? '' : field.slice(semi + 1).trim() };
  });
}

/** The `cookie` request header a browser would send back for these `set-cookie` fields. */
export function cookieHeader(fields: readonly (string | string[] | undefined)[]): string {
  const jar = new Map<string, string>();
  for (const value of fields) {
    for (const field of value === undefined ? [] : Array.isArray(value) ? value : [value]) {
      const pair = field.split(';', 1)[0] as string;
      const eq = pair.indexOf('=');
      if (eq > 0) jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }
  return [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
}
