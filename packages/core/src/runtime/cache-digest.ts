/**
 * A cache digest in a cookie: a Golomb-Rice coded set (as in the HTTP cache-digest draft and
 * h2o's CASPER) of hashes of what this server pushed to the browser. Each entry hashes the path
 * AND the ETag, so a file that changed is no longer "in the cache" and is pushed again (CASPER
 * keyed by path only, and kept skipping files the browser held an old copy of).
 *
 * Wire format, base64url: version (1 byte, 1), Rice parameter k (1 byte), entry count (uint16 BE),
 * then for each sorted distinct 24-bit hash the delta from the previous one as a unary quotient,
 * a 0 bit, and k remainder bits, most significant bit first. False positives (a push skipped for
 * a file the browser does not have) happen at about n / 2^24: the Link preload still fetches it.
 */
import { createHash } from 'node:crypto';

/** Bits of each entry's hash. */
const HASH_BITS = 24;
const HASH_RANGE = 1 << HASH_BITS;
const VERSION = 1;

/** Default cap on entries; with 256 entries the cookie value is about 760 characters. */
export const DEFAULT_DIGEST_MAX_ENTRIES = 256;
/** Default cookie name. */
export const DEFAULT_DIGEST_COOKIE = 'pm_digest';
/** A cookie longer than this is ignored without decoding (hostile or foreign). */
const MAX_ENCODED_LENGTH = 4096;
/** What browsers keep of a cookie's name, `=` and value together (RFC 6265bis §5.6). */
const COOKIE_MAX = 4096;

/**
 * The longest cookie value `n` entries can encode to. The Rice quotients of n sorted values in
 * [0, 2^24) sum to at most 2^24 / 2^k, which the choice of k below keeps under 2n: so each entry
 * costs at most k + 1 bits plus 2 bits of quotient on average, whatever the hashes.
 */
function encodedLengthBound(n: number): number {
  const k = n === 0 ? 0 : Math.max(0, Math.floor(Math.log2(HASH_RANGE / n)));
  const bytes = 4 + Math.ceil((n * (k + 3)) / 8);
  return Math.ceil((bytes * 4) / 3);
}

/**
 * The most entries a digest under cookie `name` may hold so that the cookie always fits in 4 KB
 * (about 1,450 for `pm_digest`): beyond it browsers drop the cookie and every visit pushes again.
 */
export function maxDigestEntries(name: string = DEFAULT_DIGEST_COOKIE): number {
  let n = 0;
  while (name.length + 1 + encodedLengthBound(n + 1) <= COOKIE_MAX) n++;
  return n;
}

/** {@link maxDigestEntries} for the default cookie name. */
export const DIGEST_MAX_ENTRIES_LIMIT = maxDigestEntries();

/**
 * Hashes already computed, by `path\nETag`: every push asks for the same few pairs (a check
 * against the client's digest, then an add), and a SHA-256 per ask showed in profiles. Bounded:
 * cleared when full, which only costs recomputing.
 */
const hashMemo = new Map<string, number>();
const HASH_MEMO_MAX = 4096;

/** The 24-bit digest hash of a path and ETag (the first 3 bytes of SHA-256 of `path\nETag`). */
export function digestHash(path: string, etag: string): number {
  const input = `${path}\n${etag}`;
  let hash = hashMemo.get(input);
  if (hash === undefined) {
    const bytes = createHash('sha256').update(input).digest();
    hash = (bytes[0]! << 16) | (bytes[1]! << 8) | bytes[2]!;
    if (hashMemo.size >= HASH_MEMO_MAX) hashMemo.clear();
    hashMemo.set(input, hash);
  }
  return hash;
}

/** The set of pushed (path, ETag) pairs a browser reported back, bounded in size. */
export class CacheDigest {
  readonly #hashes: Set<number>;
  readonly #maxEntries: number;

  private constructor(hashes: Set<number>, maxEntries: number) {
    this.#hashes = hashes;
    this.#maxEntries = maxEntries;
  }

  /** An empty digest. */
  static empty(maxEntries = DEFAULT_DIGEST_MAX_ENTRIES): CacheDigest {
    return new CacheDigest(new Set(), maxEntries);
  }

  /** Decode a cookie value; anything malformed gives an empty digest (never throws). */
  static decode(text: string | undefined, maxEntries = DEFAULT_DIGEST_MAX_ENTRIES): CacheDigest {
    const hashes = text === undefined ? undefined : decodeHashes(text, maxEntries);
    return new CacheDigest(hashes ?? new Set(), maxEntries);
  }

  /** Forget a push (its stream failed before the cookie went out). */
  delete(path: string, etag: string): void {
    this.#hashes.delete(digestHash(path, etag));
  }

  /** Number of entries. */
  get size(): number {
    return this.#hashes.size;
  }

  /** Whether the browser (probably) holds this path at this ETag from an earlier push. */
  has(path: string, etag: string): boolean {
    return this.#hashes.has(digestHash(path, etag));
  }

  /**
   * Record a push. A full digest starts afresh: the set keeps no order to evict by, and losing
   * old entries costs at most a repeated push.
   */
  add(path: string, etag: string): void {
    const hash = digestHash(path, etag);
    if (this.#hashes.has(hash)) return;
    if (this.#hashes.size >= this.#maxEntries) this.#hashes.clear();
    this.#hashes.add(hash);
  }

  /** The cookie value (base64url). */
  encode(): string {
    const values = [...this.#hashes].sort((a, b) => a - b);
    const n = values.length;
    // The Rice parameter that suits a uniform spread of n values over the hash range.
    const k = n === 0 ? 0 : Math.max(0, Math.floor(Math.log2(HASH_RANGE / n)));
    const writer = new BitWriter();
    let previous = 0;
    for (const value of values) {
      const delta = value - previous;
      previous = value;
      const q = delta >>> k;
      for (let i = 0; i < q; i++) writer.write(1);
      writer.write(0);
      for (let bit = k - 1; bit >= 0; bit--) writer.write((delta >>> bit) & 1);
    }
    const body = writer.finish();
    const out = Buffer.alloc(4 + body.length);
    out[0] = VERSION;
    out[1] = k;
    out.writeUInt16BE(n, 2);
    body.copy(out, 4);
    return out.toString('base64url');
  }
}

function decodeHashes(text: string, maxEntries: number): Set<number> | undefined {
  if (text.length === 0 || text.length > MAX_ENCODED_LENGTH || !/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.length < 4 || bytes[0] !== VERSION) return undefined;
  const k = bytes[1]!;
  const n = bytes.readUInt16BE(2);
  if (k > HASH_BITS || n > maxEntries) return undefined;
  const reader = new BitReader(bytes, 4);
  const hashes = new Set<number>();
  let value = 0;
  const maxQuotient = HASH_RANGE >>> k;
  for (let index = 0; index < n; index++) {
    let q = 0;
    for (;;) {
      const bit = reader.read();
      if (bit < 0) return undefined;
      if (bit === 0) break;
      if (++q > maxQuotient) return undefined;
    }
    let r = 0;
    for (let i = 0; i < k; i++) {
      const bit = reader.read();
      if (bit < 0) return undefined;
      r = (r << 1) | bit;
    }
    value += q * 2 ** k + r;
    if (value >= HASH_RANGE) return undefined;
    hashes.add(value);
  }
  return hashes;
}

class BitWriter {
  readonly #bytes: number[] = [];
  #current = 0;
  #used = 0;

  write(bit: number): void {
    this.#current = (this.#current << 1) | bit;
    if (++this.#used === 8) {
      this.#bytes.push(this.#current);
      this.#current = 0;
      this.#used = 0;
    }
  }

  finish(): Buffer {
    if (this.#used > 0) this.#bytes.push(this.#current << (8 - this.#used));
    return Buffer.from(this.#bytes);
  }
}

class BitReader {
  readonly #bytes: Buffer;
  #position: number;

  constructor(bytes: Buffer, byteOffset: number) {
    this.#bytes = bytes;
    this.#position = byteOffset * 8;
  }

  /** The next bit, or -1 past the end. */
  read(): number {
    const byte = this.#bytes[this.#position >>> 3];
    if (byte === undefined) return -1;
    const bit = (byte >>> (7 - (this.#position & 7))) & 1;
    this.#position++;
    return bit;
  }
}

/**
 * The value of cookie `name` in a `cookie` request header (HTTP/2 may split it into several
 * fields; Node joins them with `; `), or undefined.
 */
export function readCookie(header: string | readonly string[] | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  const text = typeof header === 'string' ? header : header.join('; ');
  const prefix = `${name}=`;
  for (const part of text.split(';')) {
    const trimmed = part.trim();
    if (trimmed.startsWith(prefix)) return trimmed.slice(prefix.length);
  }
  return undefined;
}

/** Options for {@link digestSetCookie}. */
export interface DigestCookieOptions {
  /** Lifetime in seconds (default 7 days). */
  maxAge?: number;
  /** Add `Secure` (set it for requests that came over TLS). */
  secure?: boolean;
}

/** The `Set-Cookie` value that stores a digest. */
export function digestSetCookie(name: string, value: string, options: DigestCookieOptions = {}): string {
  const maxAge = options.maxAge ?? 7 * 24 * 3600;
  return `${name}=${value}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${options.secure === true ? '; Secure' : ''}`;
}
