/**
 * A viewer shard's short in-memory tail of the log: the deltas it has
 * broadcast, newest last, bounded in count and bytes (kept by the same
 * ReplayTail the channel's object uses). It decides what of a feed is new,
 * when a feed leaves a gap (fetch it first), and whether a resume can be
 * answered from the tail without asking the channel.
 */
import type { SizedDelta } from "../channel/replay-budget.ts";
import { ReplayTail } from "../channel/replay-tail.ts";

export const TAIL_MAX_DELTAS = 1000;
export const TAIL_MAX_BYTES = 1024 * 1024;

export type FeedCheck =
  /** Deltas after the head, in order, none missing: broadcast them. */
  | { readonly ok: true; readonly fresh: SizedDelta[] }
  /** The shard lacks `after`+1 … `before`-1: fetch them first. */
  | { readonly ok: false; readonly after: number; readonly before: number };

export class ShardTail {
  readonly #recent: ReplayTail;
  /** The last seq broadcast; null after a wake, until the channel says what the sockets saw. */
  #head: number | null = null;

  constructor(maxDeltas = TAIL_MAX_DELTAS, maxBytes = TAIL_MAX_BYTES) {
    this.#recent = new ReplayTail(maxDeltas, maxBytes);
  }

  get head(): number | null {
    return this.#head;
  }

  /** Starts over at `head` with an empty tail (a new epoch, or a head learned after a wake). */
  reset(head: number): void {
    this.#recent.clear();
    this.#head = head;
  }

  /**
   * Which of `deltas` (in seq order, sized by the channel's object, which measured them once) are new, or the gap
   * before them. A shard with no head yet takes them as they come.
   */
  check(deltas: readonly SizedDelta[]): FeedCheck {
    const head = this.#head;
    const fresh = deltas.filter((d) => head === null || d.delta.seq > head);
    const first = fresh[0]?.delta.seq;
    if (first !== undefined && head !== null && first !== head + 1) return { ok: false, after: head, before: first };
    for (let i = 1; i < fresh.length; i++) {
      const [before, seq] = [fresh[i - 1]!.delta.seq, fresh[i]!.delta.seq];
      if (seq !== before + 1) return { ok: false, after: before, before: seq };
    }
    return { ok: true, fresh };
  }

  /** Records broadcast deltas (checked by check()); old ones fall off the front. */
  append(deltas: readonly SizedDelta[]): void {
    this.#recent.append(deltas);
    const last = deltas.at(-1);
    if (last !== undefined) this.#head = last.delta.seq;
  }

  /** The deltas after `seq` up to the head, or null when the tail does not reach back that far. */
  after(seq: number): SizedDelta[] | null {
    if (this.#head === null || seq > this.#head) return null;
    if (seq === this.#head) return [];
    return this.#recent.between(seq, this.#head);
  }
}
