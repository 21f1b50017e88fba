/** The last N latency samples, for p50/p99 without unbounded memory. */
export class LatencyWindow {
  readonly #samples: number[] = [];
  #next = 0;

  constructor(readonly capacity = 1024) {}

  add(ms: number): void {
    if (this.#samples.length < this.capacity) this.#samples.push(ms);
    else this.#samples[this.#next] = ms;
    this.#next = (this.#next + 1) % this.capacity;
  }

  get size(): number {
    return this.#samples.length;
  }

  /** Nearest-rank percentile, p in (0, 100]; null when empty. */
  percentile(p: number): number | null {
    if (this.#samples.length === 0) return null;
    const sorted = [...this.#samples].sort((a, b) => a - b);
    const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
    return sorted[rank - 1]!;
  }
}
