/**
 * Feeds one viewer shard the channel's new deltas, in order, one RPC at a
 * time: deltas committed while an RPC is in flight go together in the next
 * one, so a slow shard costs batches, not a queue of calls. `fedThrough` is
 * the last seq the shard is known to have (its sockets have seen up to it);
 * each RPC says where its deltas start (`after`), so a shard that missed a
 * feed (a failed RPC, an eviction) sees the gap and fetches it.
 */
import type { SizedDelta } from "../channel/replay-budget.ts";

export interface FeedAnswer {
  /** The shard's open sockets after this feed: 0 stops the feeding. */
  readonly sockets: number;
  /** The last seq the shard has broadcast. */
  readonly head: number;
  readonly frames: number;
  readonly bytes: number;
}

export type FeedCall = (after: number, deltas: readonly SizedDelta[]) => Promise<FeedAnswer>;

/** Consecutive failed feeds after which a shard is dropped (its sockets are gone with it, or reconnect). */
export const MAX_FEED_FAILURES = 3;

export class ShardFeeder {
  readonly #call: FeedCall;
  readonly #answered: (answer: FeedAnswer) => void;
  readonly #failed: (error: unknown, failures: number) => void;
  #pending: SizedDelta[] = [];
  #inFlight: Promise<void> | null = null;
  #failures = 0;
  #fedThrough: number;

  constructor(fedThrough: number, call: FeedCall, answered: (answer: FeedAnswer) => void, failed: (error: unknown, failures: number) => void) {
    this.#fedThrough = fedThrough;
    this.#call = call;
    this.#answered = answered;
    this.#failed = failed;
  }

  get fedThrough(): number {
    return this.#fedThrough;
  }

  /** The shard caught up by itself (a gap fetch, a connect): it has everything up to `seq`. */
  reached(seq: number): void {
    if (seq > this.#fedThrough) this.#fedThrough = seq;
  }

  push(deltas: readonly SizedDelta[]): void {
    this.#pending.push(...deltas);
    this.#inFlight ??= this.#pump();
  }

  /** Resolves when nothing is pending or in flight (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#inFlight) await this.#inFlight;
  }

  async #pump(): Promise<void> {
    try {
      while (this.#pending.length > 0) {
        const batch = this.#pending.filter((d) => d.delta.seq > this.#fedThrough);
        this.#pending = [];
        if (batch.length === 0) continue;
        try {
          const answer = await this.#call(this.#fedThrough, batch);
          this.#failures = 0;
          this.reached(answer.head);
          this.#answered(answer);
        } catch (error) {
          // fedThrough stays: the next feed starts after it and the shard fetches what it lacks.
          this.#failures++;
          this.#failed(error, this.#failures);
        }
      }
    } finally {
      this.#inFlight = null;
    }
  }
}
