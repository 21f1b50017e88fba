/**
 * A token bucket on an injected clock: `capacity` tokens at most (the
 * burst), refilled continuously at `refillPerSecond`. Pure, so every rate
 * limit of the hub is tested on a fake clock.
 */
export interface BucketRate {
  readonly capacity: number;
  readonly refillPerSecond: number;
}

export type Take = { readonly ok: true } | { readonly ok: false; readonly retryAfterMs: number };

export class TokenBucket {
  readonly #rate: BucketRate;
  #tokens: number;
  #lastMs: number;

  constructor(rate: BucketRate, nowMs: number) {
    this.#rate = rate;
    this.#tokens = rate.capacity;
    this.#lastMs = nowMs;
  }

  /** Takes `cost` tokens, or none and says how long until there would be enough. */
  take(nowMs: number, cost = 1): Take {
    this.#refill(nowMs);
    if (this.#tokens >= cost) {
      this.#tokens -= cost;
      return { ok: true };
    }
    // A cost above the capacity can never be paid: report the time to a full bucket.
    const missing = Math.min(cost, this.#rate.capacity) - this.#tokens;
    return { ok: false, retryAfterMs: Math.ceil((missing / this.#rate.refillPerSecond) * 1000) };
  }

  /** True once the bucket is full again: it then says nothing a fresh one would not. */
  isFull(nowMs: number): boolean {
    this.#refill(nowMs);
    return this.#tokens >= this.#rate.capacity;
  }

  #refill(nowMs: number): void {
    // A clock that steps back refills nothing rather than draining the bucket.
    const elapsedMs = Math.max(0, nowMs - this.#lastMs);
    this.#tokens = Math.min(this.#rate.capacity, this.#tokens + (elapsedMs / 1000) * this.#rate.refillPerSecond);
    this.#lastMs = Math.max(this.#lastMs, nowMs);
  }
}

/**
 * One bucket per key (a ticket, a client), at most `maxKeys` of them: full
 * buckets are forgotten first, then the oldest, so memory stays bounded and a
 * forgotten key only ever gets a fresh (full) bucket back.
 */
export class KeyedBuckets {
  readonly #rate: BucketRate;
  readonly #maxKeys: number;
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(rate: BucketRate, maxKeys: number) {
    this.#rate = rate;
    this.#maxKeys = maxKeys;
  }

  take(key: string, nowMs: number, cost = 1): Take {
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      if (this.#buckets.size >= this.#maxKeys) this.#evict(nowMs);
      bucket = new TokenBucket(this.#rate, nowMs);
      this.#buckets.set(key, bucket);
    }
    return bucket.take(nowMs, cost);
  }

  get size(): number {
    return this.#buckets.size;
  }

  #evict(nowMs: number): void {
    for (const [key, bucket] of this.#buckets) if (bucket.isFull(nowMs)) this.#buckets.delete(key);
    // Map order is insertion order: the first key is the oldest.
    while (this.#buckets.size >= this.#maxKeys) this.#buckets.delete(this.#buckets.keys().next().value!);
  }
}
