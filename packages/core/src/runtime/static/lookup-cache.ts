/**
 * The static root's lookup cache: what a request path resolved to, reused for `ttlMs`. Bounded
 * whatever the requests: a key longer than `maxKeyLength` is never stored, and at most
 * `maxEntries` are kept. Segmented LRU (as in caches that must survive scans): a new entry goes to
 * a probation segment and moves to the protected one on its second use, so a scan of many
 * one-off paths (a crawler, a 404 flood) only churns probation and never evicts the hot entries.
 */

/** Limits of a {@link LookupCache}. */
export interface LookupCacheOptions {
  /** Most entries kept, both segments together. */
  maxEntries: number;
  /** How long an entry is reused, ms. */
  ttlMs: number;
  /** Longest key stored; a longer one is resolved every time. Default 1024. */
  maxKeyLength?: number;
}

interface Entry<V> {
  at: number;
  value: V;
}

/** A bounded, scan-resistant TTL cache. */
export class LookupCache<V> {
  readonly maxEntries: number;
  readonly maxKeyLength: number;
  readonly #ttlMs: number;
  readonly #protectedMax: number;
  /** Seen once; Map order is least recently used first. */
  readonly #probation = new Map<string, Entry<V>>();
  /** Seen again since; Map order is least recently used first. */
  readonly #protected = new Map<string, Entry<V>>();

  constructor(options: LookupCacheOptions) {
    this.maxEntries = Math.max(0, Math.floor(options.maxEntries));
    this.maxKeyLength = options.maxKeyLength ?? 1024;
    this.#ttlMs = options.ttlMs;
    // Four fifths for entries used more than once, as in W-TinyLFU's main space.
    this.#protectedMax = Math.floor(this.maxEntries * 0.8);
  }

  /** Whether `key` may be stored at all. */
  accepts(key: string): boolean {
    return this.maxEntries > 0 && this.#ttlMs > 0 && key.length <= this.maxKeyLength;
  }

  /** The fresh value of `key`, marking it used; undefined when absent or expired. */
  get(key: string, now = Date.now()): V | undefined {
    const kept = this.#protected.get(key);
    if (kept !== undefined) {
      if (now - kept.at >= this.#ttlMs) {
        this.#protected.delete(key);
        return undefined;
      }
      this.#protected.delete(key);
      this.#protected.set(key, kept);
      return kept.value;
    }
    const trial = this.#probation.get(key);
    if (trial === undefined) return undefined;
    this.#probation.delete(key);
    if (now - trial.at >= this.#ttlMs) return undefined;
    this.#promote(key, trial);
    return trial.value;
  }

  /** Store `value` (a refreshed entry keeps its segment). Ignored for a key {@link accepts} refuses. */
  set(key: string, value: V, now = Date.now()): void {
    if (!this.accepts(key)) return;
    const entry = { at: now, value };
    if (this.#protected.delete(key)) {
      this.#protected.set(key, entry);
      return;
    }
    this.#probation.delete(key);
    this.#probation.set(key, entry);
    this.#trimProbation();
  }

  #promote(key: string, entry: Entry<V>): void {
    this.#protected.set(key, entry);
    if (this.#protected.size > this.#protectedMax) {
      // The protected segment's least recently used entry gets one more chance in probation.
      const [oldKey, oldEntry] = this.#protected.entries().next().value as [string, Entry<V>];
      this.#protected.delete(oldKey);
      this.#probation.set(oldKey, oldEntry);
      this.#trimProbation();
    }
  }

  #trimProbation(): void {
    while (this.#probation.size + this.#protected.size > this.maxEntries && this.#probation.size > 0) {
      const oldest = this.#probation.keys().next().value as string;
      this.#probation.delete(oldest);
    }
  }

  /** Forget the entries whose value matches. */
  deleteWhere(test: (value: V) => boolean): void {
    for (const segment of [this.#probation, this.#protected]) {
      for (const [key, entry] of segment) if (test(entry.value)) segment.delete(key);
    }
  }

  /** Forget everything. */
  clear(): void {
    this.#probation.clear();
    this.#protected.clear();
  }

  /** Entries kept. */
  get size(): number {
    return this.#probation.size + this.#protected.size;
  }

  /** Characters of all keys kept (what a long-path flood would grow). */
  get keyChars(): number {
    let total = 0;
    for (const segment of [this.#probation, this.#protected]) for (const key of segment.keys()) total += key.length;
    return total;
  }
}
