/**
 * Per-socket rules the hub enforces on viewers' frames: a token bucket
 * against floods, and a budget of bad frames before the socket is closed.
 * Pings answered by the runtime never reach this.
 */
export const FRAME_BUCKET_CAPACITY = 30;
const FRAME_REFILL_PER_SECOND = 10;
export const MAX_BAD_FRAMES = 3;

export class SocketPolicy {
  #tokens = FRAME_BUCKET_CAPACITY;
  #lastMs: number;
  #badFrames = 0;

  constructor(nowMs: number) {
    this.#lastMs = nowMs;
  }

  /** False when the client sends faster than the bucket refills. */
  allowFrame(nowMs: number): boolean {
    this.#tokens = Math.min(FRAME_BUCKET_CAPACITY, this.#tokens + ((nowMs - this.#lastMs) / 1000) * FRAME_REFILL_PER_SECOND);
    this.#lastMs = nowMs;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Counts a bad frame; true when the budget is spent and the socket must close. */
  badFrame(): boolean {
    this.#badFrames += 1;
    return this.#badFrames >= MAX_BAD_FRAMES;
  }
}
