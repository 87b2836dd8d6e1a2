/**
 * A map that keeps only what was used lately, in bounded memory: two generations of at most
 * `window` keys each. A key read from the older generation moves to the newer; when the newer is
 * full it becomes the older, and the older is dropped. Cheaper than a true LRU (no order kept per
 * read) and enough where what is used again is used soon (pages near each other in a run).
 */
export class RecentMap<K, V> {
  private current = new Map<K, V>();
  private previous = new Map<K, V>();

  constructor(private readonly window: number) {}

  get(key: K): V | undefined {
    const value = this.current.get(key);
    if (value !== undefined) return value;
    const older = this.previous.get(key);
    if (older !== undefined) this.set(key, older);
    return older;
  }

  set(key: K, value: V): void {
    if (this.current.size >= this.window) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(key, value);
  }
}
