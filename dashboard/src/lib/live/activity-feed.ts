/** The newest applied deltas, for the recent-activity feed. */
import type { DeltaFrame } from "../../../../protocol/index.ts";
import { MAX_ACTIVITY_ENTRIES } from "./tuning.ts";
import type { ActivityEntry } from "./types.ts";

export class ActivityFeed {
  /** Oldest first; trimmed in chunks so 500 deltas/s cost no per-delta copying. */
  #entries: ActivityEntry[] = [];
  #newestFirst: readonly ActivityEntry[] | null = [];

  constructor(readonly max = MAX_ACTIVITY_ENTRIES) {}

  add(delta: DeltaFrame): void {
    this.#entries.push(delta.cause ? { seq: delta.seq, atIso: delta.at, cause: delta.cause, changes: delta.changes } : { seq: delta.seq, atIso: delta.at, changes: delta.changes });
    if (this.#entries.length >= this.max * 2) this.#entries = this.#entries.slice(-this.max);
    this.#newestFirst = null;
  }

  /** Replaces the feed with `entries` (newest first, as `entries` gives them): a tab taking over another's feed. */
  seed(entries: readonly ActivityEntry[]): void {
    this.#entries = entries.slice(0, this.max).reverse();
    this.#newestFirst = null;
  }

  /** Newest first, at most `max`; the same array until the next add(). */
  get entries(): readonly ActivityEntry[] {
    return (this.#newestFirst ??= this.#entries.slice(-this.max).reverse());
  }
}
