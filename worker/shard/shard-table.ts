/**
 * Which viewer shards a channel has and how full each is, kept by the
 * channel's object. Pure. A connect beyond the object's own SHARD_SIZE
 * sockets goes to the lowest shard with room, so new sockets fill existing
 * shards first; a new shard is added only when all are full. Counts are the
 * shards' own reports (after each connect and close), raised here at once
 * on placement so that a burst of connects does not pile into one shard.
 */
export class ShardTable {
  readonly #size: number;
  /** Shard number (1, 2, …) → sockets. */
  readonly #counts = new Map<number, number>();

  /** `known`: shards read back after an eviction; their counts arrive with their next report. */
  constructor(size: number, known: readonly number[] = []) {
    this.#size = size;
    for (const k of known) this.#counts.set(k, 0);
  }

  get shards(): number[] {
    return [...this.#counts.keys()].sort((a, b) => a - b);
  }

  get sockets(): number {
    let total = 0;
    for (const n of this.#counts.values()) total += n;
    return total;
  }

  /** The shard a new socket goes to; `added` when it is a new one. */
  place(): { shard: number; added: boolean } {
    for (const k of this.shards) {
      const n = this.#counts.get(k)!;
      if (n < this.#size) {
        this.#counts.set(k, n + 1);
        return { shard: k, added: false };
      }
    }
    let k = 1;
    while (this.#counts.has(k)) k++;
    this.#counts.set(k, 1);
    return { shard: k, added: true };
  }

  /** A shard's own count; true when it was not in the table (it has sockets again). */
  report(shard: number, sockets: number): boolean {
    const added = !this.#counts.has(shard);
    this.#counts.set(shard, sockets);
    return added;
  }

  /** Stops feeding a shard (it has no sockets left, or keeps failing); true if it was there. */
  drop(shard: number): boolean {
    return this.#counts.delete(shard);
  }

  clear(): void {
    this.#counts.clear();
  }
}
