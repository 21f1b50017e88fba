/** A Web Storage in memory, with an optional quota to test QuotaExceededError handling. */
export class MemoryStorage implements Storage {
  readonly #items = new Map<string, string>();
  /** Largest total of key + value lengths; setItem beyond it throws like a full localStorage. */
  quotaChars = Infinity;
  [name: string]: unknown;

  get length(): number {
    return this.#items.size;
  }

  clear(): void {
    this.#items.clear();
  }

  getItem(key: string): string | null {
    return this.#items.get(key) ?? null;
  }

  key(index: number): string | null {
    return [...this.#items.keys()][index] ?? null;
  }

  removeItem(key: string): void {
    this.#items.delete(key);
  }

  setItem(key: string, value: string): void {
    let used = key.length + value.length;
    for (const [k, v] of this.#items) if (k !== key) used += k.length + v.length;
    if (used > this.quotaChars) throw new DOMException("quota exceeded", "QuotaExceededError");
    this.#items.set(key, String(value));
  }
}
