/** Cache-Control policy for static files. */

/**
 * File names that carry a content hash, as bundlers write them: `app.3f9a2c1b.js` (webpack, hex)
 * or `index-BkX3a9Qz.js` (Vite/Rollup, 8 base64url characters). Such a file never changes under
 * its name, so it may be cached for a year and never revalidated.
 */
export const HASHED_NAME = /[.-]([0-9a-f]{8,64}|[A-Za-z0-9_]{8})\.[A-Za-z0-9]+$/;

/** Extra check on the 8-character form so ordinary words (`-settings.js`) are not taken for hashes. */
export function looksHashed(fileName: string): boolean {
  const match = HASHED_NAME.exec(fileName);
  if (!match?.[1]) return false;
  const hash = match[1];
  if (/^[0-9a-f]+$/.test(hash)) return /[0-9]/.test(hash);
  // A real 8-char base64url hash almost always mixes digits or several capitals with lowercase.
  return /[0-9]/.test(hash) || (/[A-Z].*[A-Z]/.test(hash) && /[a-z]/.test(hash));
}

/** Options of {@link cacheControlFor}. */
export interface CacheControlOptions {
  /** max-age in seconds for files that are neither HTML nor hashed. Default 300. */
  maxAge?: number;
  /** Decide which files are immutable; default {@link looksHashed} on the file name. */
  immutable?: RegExp | ((fileName: string) => boolean);
}

/** `no-cache` for HTML, a year and `immutable` for hashed names, a short max-age otherwise. */
export function cacheControlFor(fileName: string, html: boolean, options: CacheControlOptions = {}): string {
  // HTML must be revalidated every time: it is what names the (hashed) assets of a new deploy.
  if (html) return 'no-cache';
  const { immutable } = options;
  const isImmutable =
    immutable === undefined ? looksHashed(fileName) : typeof immutable === 'function' ? immutable(fileName) : immutable.test(fileName);
  if (isImmutable) return 'public, max-age=31536000, immutable';
  return `public, max-age=${options.maxAge ?? 300}`;
}
