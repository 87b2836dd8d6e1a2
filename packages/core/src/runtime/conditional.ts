/**
 * HTTP validators and conditional requests (RFC 9110 §8.8, §13) and single byte ranges (§14),
 * shared by the node:http path and the raw HTTP/2 stream path so both answer alike.
 */

/** A weak ETag from size and mtime, like sirv and nginx: cheap, and changes whenever the file does. */
export function weakEtag(size: number, mtimeMs: number): string {
  return `W/"${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}"`;
}

const opaque = (tag: string) => (tag.startsWith('W/') ? tag.slice(2) : tag);

/** Header values as Node gives them (string, string[] for repeated fields, or absent). */
export type HeaderValue = string | string[] | undefined;
const one = (value: HeaderValue) => (Array.isArray(value) ? value.join(', ') : value);

/**
 * Whether a GET/HEAD may be answered 304. `If-None-Match` wins over `If-Modified-Since` (RFC 9110
 * §13.2.2); If-None-Match uses the weak comparison, so our weak ETags match.
 */
export function isNotModified(
  ifNoneMatch: HeaderValue,
  ifModifiedSince: HeaderValue,
  etag: string,
  mtimeMs: number,
): boolean {
  const inm = one(ifNoneMatch);
  if (inm !== undefined) {
    if (inm.trim() === '*') return true;
    const mine = opaque(etag);
    return inm.split(',').some((tag) => opaque(tag.trim()) === mine);
  }
  const ims = one(ifModifiedSince);
  if (ims !== undefined) {
    const since = Date.parse(ims);
    // HTTP dates have one-second resolution: compare whole seconds or every file looks modified.
    return !Number.isNaN(since) && Math.floor(mtimeMs / 1000) * 1000 <= since;
  }
  return false;
}

/** A satisfiable single range, inclusive bounds. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Parse a `Range` header for a representation of `size` bytes.
 * - `null`: no range to honour (absent, not `bytes`, malformed, several ranges): send the whole file.
 *   RFC 9110 §14.2 lets a server ignore Range; multipart/byteranges is not worth its cost here.
 * - `'unsatisfiable'`: answer 416 with `content-range: bytes *\/size`.
 */
export function parseRange(header: HeaderValue, size: number): ByteRange | 'unsatisfiable' | null {
  const value = one(header);
  if (value === undefined) return null;
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(value);
  if (!match) return null;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return null;
  if (first === '') {
    // Suffix range: the last N bytes.
    const length = Number(last);
    if (length === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - length), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== '' && Number(last) < start) return null; // syntactically invalid: ignore
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

/**
 * `If-Range`: the range applies only if the validator still matches. An entity tag there needs
 * the STRONG comparison (RFC 9110 §13.1.5) and ours are weak, so an ETag never matches and the
 * client gets the whole, current file; a date must equal our Last-Modified exactly.
 */
export function ifRangeAllows(ifRange: HeaderValue, lastModified: string): boolean {
  const value = one(ifRange);
  if (value === undefined) return true;
  const trimmed = value.trim();
  if (trimmed.startsWith('"') || trimmed.startsWith('W/')) return false;
  return trimmed === lastModified;
}
