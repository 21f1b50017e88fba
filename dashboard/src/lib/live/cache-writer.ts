/** Writes a channel's state to the StateCache at most once per interval, and at once on demand (pagehide, stop). */
import type { StoredPosition } from "./channel-store.ts";
import type { StateCache } from "./state-cache.ts";
import type { Cancel, Clock } from "./types.ts";

export class CacheWriter {
  #timer: Cancel | null = null;
  #lastSavedAt = -Infinity;
  #saved: string | null = null;

  constructor(
    private readonly cache: StateCache | null,
    private readonly channel: string,
    private readonly clock: Clock,
    private readonly intervalMs: number,
    /** The state to save, or null when there is none worth saving (nothing yet, or diverged). */
    private readonly read: () => StoredPosition | null,
  ) {}

  /** The position just loaded from the cache: no need to write it back. */
  loaded(position: StoredPosition): void {
    this.#saved = keyOf(position);
  }

  /** Something changed: save within the interval. */
  schedule(): void {
    if (!this.cache || this.#timer) return;
    const waitMs = Math.max(0, this.#lastSavedAt + this.intervalMs - this.clock.now());
    this.#timer = this.clock.schedule(() => {
      this.#timer = null;
      this.saveNow();
    }, waitMs);
  }

  saveNow(): void {
    this.#timer?.();
    this.#timer = null;
    const position = this.read();
    if (!this.cache || !position) return;
    const key = keyOf(position);
    if (key === this.#saved) return;
    this.cache.save(this.channel, position);
    this.#saved = key;
    this.#lastSavedAt = this.clock.now();
  }
}

function keyOf(position: StoredPosition): string {
  return `${position.epoch}:${position.seq}`;
}
