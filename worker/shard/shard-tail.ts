/**
 * A viewer shard's short in-memory tail of the log: the deltas it has
 * broadcast, newest last, bounded in count and bytes. It decides what of a
 * feed is new, when a feed leaves a gap (fetch it first), and whether a
 * resume can be answered from the tail without asking the channel.
 */
import type { SizedDelta } from "../channel/replay-budget.ts";
import { utf8Bytes } from "../channel/replay-budget.ts";
import type { StoredDelta } from "../channel/storage.ts";

export const TAIL_MAX_DELTAS = 1000;
export const TAIL_MAX_BYTES = 1024 * 1024;

export type FeedCheck =
  /** Deltas after the head, in order, none missing: broadcast them. */
  | { readonly ok: true; readonly fresh: SizedDelta[] }
  /** The shard lacks `after`+1 … `before`-1: fetch them first. */
  | { readonly ok: false; readonly after: number; readonly before: number };

export class ShardTail {
  readonly #maxDeltas: number;
  readonly #maxBytes: number;
  #deltas: SizedDelta[] = [];
  #bytes = 0;
  /** The last seq broadcast; null after a wake, until the channel says what the sockets saw. */
  #head: number | null = null;

  constructor(maxDeltas = TAIL_MAX_DELTAS, maxBytes = TAIL_MAX_BYTES) {
    this.#maxDeltas = maxDeltas;
    this.#maxBytes = maxBytes;
  }

  get head(): number | null {
    return this.#head;
  }

  /** Starts over at `head` with an empty tail (a new epoch, or a head learned after a wake). */
  reset(head: number): void {
    this.#deltas = [];
    this.#bytes = 0;
    this.#head = head;
  }

  /** Which of `deltas` (in seq order) are new, or the gap before them. A shard with no head yet takes them as they come. */
  check(deltas: readonly StoredDelta[]): FeedCheck {
    const head = this.#head;
    const fresh = deltas.filter((d) => head === null || d.seq > head);
    const first = fresh[0];
    if (first !== undefined && head !== null && first.seq !== head + 1) return { ok: false, after: head, before: first.seq };
    for (let i = 1; i < fresh.length; i++) {
      if (fresh[i]!.seq !== fresh[i - 1]!.seq + 1) return { ok: false, after: fresh[i - 1]!.seq, before: fresh[i]!.seq };
    }
    return { ok: true, fresh: fresh.map((delta) => ({ delta, bytes: utf8Bytes(delta.json) })) };
  }

  /** Records broadcast deltas (checked by check()); old ones fall off the front. */
  append(deltas: readonly SizedDelta[]): void {
    for (const sized of deltas) {
      this.#deltas.push(sized);
      this.#bytes += sized.bytes;
      this.#head = sized.delta.seq;
    }
    let drop = 0;
    while (this.#deltas.length - drop > this.#maxDeltas || (this.#bytes > this.#maxBytes && this.#deltas.length - drop > 1)) {
      this.#bytes -= this.#deltas[drop]!.bytes;
      drop++;
    }
    if (drop > 0) this.#deltas = this.#deltas.slice(drop);
  }

  /** The deltas after `seq` up to the head, or null when the tail does not reach back that far. */
  after(seq: number): SizedDelta[] | null {
    if (this.#head === null || seq > this.#head) return null;
    if (seq === this.#head) return [];
    const first = this.#deltas[0];
    if (first === undefined || first.delta.seq > seq + 1) return null;
    return this.#deltas.slice(seq + 1 - first.delta.seq);
  }
}
