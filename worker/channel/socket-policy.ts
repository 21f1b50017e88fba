/**
 * Per-socket rules the hub enforces on viewers' frames: a token bucket
 * against floods, a budget of bad frames before the socket is closed, and a
 * minimum interval between two `resync`s (each costs a full snapshot).
 * Pings answered by the runtime never reach this.
 */
import { MIN_RESYNC_INTERVAL_MS } from "../../protocol/index.ts";
import { TokenBucket } from "./token-bucket.ts";

export const FRAME_BUCKET_CAPACITY = 30;
const FRAME_REFILL_PER_SECOND = 10;
export const MAX_BAD_FRAMES = 3;
/** Resyncs asked for too early that are answered with an error; the next one closes the socket. */
export const MAX_EARLY_RESYNCS = 3;

export type ResyncDecision =
  | { readonly ok: true }
  /** `close`: the client kept asking too early; rate-limit it off. */
  | { readonly ok: false; readonly retryAtMs: number; readonly close: boolean };

export class SocketPolicy {
  readonly #frames: TokenBucket;
  #badFrames = 0;
  #earlyResyncs = 0;
  #lastResyncAtMs: number | null;

  /** `lastResyncAtMs` comes from the socket's attachment, so the interval survives hibernation. */
  constructor(nowMs: number, lastResyncAtMs: number | null = null) {
    this.#frames = new TokenBucket({ capacity: FRAME_BUCKET_CAPACITY, refillPerSecond: FRAME_REFILL_PER_SECOND }, nowMs);
    this.#lastResyncAtMs = lastResyncAtMs;
  }

  /** False when the client sends faster than the bucket refills. */
  allowFrame(nowMs: number): boolean {
    return this.#frames.take(nowMs).ok;
  }

  /** Counts a bad frame; true when the budget is spent and the socket must close. */
  badFrame(): boolean {
    this.#badFrames += 1;
    return this.#badFrames >= MAX_BAD_FRAMES;
  }

  /** The first resync is always answered; the next only MIN_RESYNC_INTERVAL_MS after the last one answered. */
  resync(nowMs: number): ResyncDecision {
    if (this.#lastResyncAtMs !== null && nowMs < this.#lastResyncAtMs + MIN_RESYNC_INTERVAL_MS) {
      this.#earlyResyncs += 1;
      return { ok: false, retryAtMs: this.#lastResyncAtMs + MIN_RESYNC_INTERVAL_MS, close: this.#earlyResyncs > MAX_EARLY_RESYNCS };
    }
    this.#lastResyncAtMs = nowMs;
    return { ok: true };
  }
}
