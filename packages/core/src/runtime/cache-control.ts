/**
 * Cache-Control policy for static files. `immutable` (a year, never revalidated) is only for names
 * that certainly carry a content hash, in the shapes the bundlers write (the test data in
 * test/runtime/cache-control.test.ts are names Vite 7 and 8, webpack 5 and Rspack 2 wrote), or for
 * what the user names with the `immutable` option. A wrong `immutable` keeps an edited file stale
 * for a year; a missed one only costs a revalidation, so every doubt counts as "not hashed".
 */

/** webpack 5 / Rspack `[name].[contenthash].ext` (hex, 8 to 64 digits; 20 and 16 by default). */
const DOTTED_HEX = /\.([0-9a-f]{8,64})\.[A-Za-z0-9]+(?:\.map)?$/;
/** webpack 5 / Rspack asset modules' default `[hash][ext]`: the whole name is the hash. */
const BARE_HEX = /^([0-9a-f]{16,64})\.[A-Za-z0-9]+(?:\.map)?$/;
/** Vite / Rollup / Rolldown `[name]-[hash].ext`: 8 base64url characters (`-` and `_` included). */
const DASHED_BASE64URL = /-([A-Za-z0-9_-]{8})\.[A-Za-z0-9]+(?:\.map)?$/;

/**
 * Whether a file name carries a bundler's content hash. A hex hash must mix digits and letters
 * (`report-20240101.pdf`, `logo-12345678.png` are dates and numbers); an 8-character base64url one
 * must mix capitals, small letters and a digit, `-` or `_`, so that words (`OpenSans-SemiBold`,
 * `my-settings`) never pass. About one Vite hash in five is all letters and is missed: serve those
 * folders with the `immutable` option (`assets/**`) to be certain.
 */
export function looksHashed(fileName: string): boolean {
  const hex = DOTTED_HEX.exec(fileName)?.[1] ?? BARE_HEX.exec(fileName)?.[1];
  if (hex !== undefined && /[0-9]/.test(hex) && /[a-f]/.test(hex)) return true;
  const short = DASHED_BASE64URL.exec(fileName)?.[1];
  return short !== undefined && /[A-Z]/.test(short) && /[a-z]/.test(short) && /[0-9_-]/.test(short);
}

/**
 * A glob as a RegExp on `/`-separated paths: `**` any depth, `*` and `?` within one segment,
 * `{a,b}` alternatives. A glob without `/` matches the file name in any folder (as .gitignore).
 */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  let depth = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        i++;
        if (glob[i + 1] === '/') {
          i++;
          source += '(?:.*/)?';
        } else source += '.*';
      } else source += '[^/]*';
    } else if (c === '?') source += '[^/]';
    else if (c === '{') {
      depth++;
      source += '(?:';
    } else if (c === '}' && depth > 0) {
      depth--;
      source += ')';
    } else if (c === ',' && depth > 0) source += '|';
    else source += c.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  const anchored = glob.includes('/') ? `^/?${source.replace(/^\//, '')}$` : `(?:^|/)${source}$`;
  return new RegExp(anchored);
}

/** Options of {@link cacheControlFor}. */
export interface CacheControlOptions {
  /** max-age in seconds for files that are neither HTML nor immutable. Default 300. */
  maxAge?: number;
  /**
   * Which files are immutable. Globs on the path relative to the root (`assets/**`, `*.woff2`) are
   * added to the bundlers' hash patterns ({@link looksHashed}); a RegExp or a function on the file
   * name replaces them.
   */
  immutable?: readonly string[] | RegExp | ((fileName: string) => boolean);
}

const IMMUTABLE = 'public, max-age=31536000, immutable';

/** The Cache-Control of one file: `path` relative to the root, `/`-separated. */
export type CachePolicy = (path: string, html: boolean) => string;

/**
 * The Cache-Control policy of a root, globs compiled once: `no-cache` for HTML (it names the
 * assets of a new deploy), a year and `immutable` for content-hashed names and the `immutable`
 * option's files, a short max-age otherwise.
 */
export function createCachePolicy(options: CacheControlOptions = {}): CachePolicy {
  const { immutable } = options;
  const short = `public, max-age=${options.maxAge ?? 300}`;
  const globs = Array.isArray(immutable) ? immutable.map(globToRegExp) : [];
  const byName: (fileName: string) => boolean =
    typeof immutable === 'function' ? immutable : immutable instanceof RegExp ? (name) => immutable.test(name) : looksHashed;
  return (path, html) => {
    if (html) return 'no-cache';
    const immutableFile = byName(path.slice(path.lastIndexOf('/') + 1)) || globs.some((glob) => glob.test(path));
    return immutableFile ? IMMUTABLE : short;
  };
}

/** One file's Cache-Control; see {@link createCachePolicy} (which compiles the globs once). */
export function cacheControlFor(path: string, html: boolean, options: CacheControlOptions = {}): string {
  return createCachePolicy(options)(path, html);
}
