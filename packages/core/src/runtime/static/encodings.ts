/** Content codings a request accepts, from `Accept-Encoding` with q-values (RFC 9110 §12.5.3). */

/** The codings we have precompressed variants for. */
export interface AcceptedEncodings {
  br: boolean;
  gzip: boolean;
}

const NONE: AcceptedEncodings = Object.freeze({ br: false, gzip: false });

/**
 * Browsers send about 30 characters (`gzip, deflate, br, zstd`). A longer header is a client
 * making the server work (parsing 30 KB costs milliseconds, on every request): it gets identity.
 */
export const MAX_ACCEPT_ENCODING_LENGTH = 1024;

/** Which of our codings `header` accepts (`q=0` refuses, `*` stands for the codings not named). */
export function acceptedEncodings(header: string | readonly string[] | undefined): AcceptedEncodings {
  const text = Array.isArray(header) ? header.join(',') : (header as string | undefined);
  if (!text || text.length > MAX_ACCEPT_ENCODING_LENGTH) return NONE;
  const q = new Map<string, number>();
  for (const part of text.toLowerCase().split(',')) {
    const [name = '', ...params] = part.trim().split(';');
    let weight = 1;
    for (const param of params) {
      const [key, value] = param.trim().split('=');
      if (key === 'q' && value !== undefined) weight = Number(value);
    }
    if (name) q.set(name.trim(), Number.isNaN(weight) ? 0 : weight);
  }
  const ok = (name: string) => (q.get(name) ?? q.get('*') ?? 0) > 0;
  return { br: ok('br'), gzip: ok('gzip') || ok('x-gzip') };
}

/** The encodings as one character for a cache key: `0` to `3`. */
export function encodingsKey(accept: AcceptedEncodings): string {
  return String((accept.br ? 1 : 0) + (accept.gzip ? 2 : 0));
}
