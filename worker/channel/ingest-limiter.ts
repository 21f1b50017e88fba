/**
 * The rate limit of one channel's ingest: events per second and requests
 * per second, each a token bucket with a burst of ten seconds' worth (a
 * sender catching up after an outage gets through at once), and room for at
 * least one full batch, or a batch could never get in.
 */
import { MAX_EVENTS_PER_BATCH } from "../../protocol/index.ts";
import { TokenBucket } from "./token-bucket.ts";

export interface IngestRates {
  readonly eventsPerSecond: number;
  readonly requestsPerSecond: number;
}

export const INGEST_BURST_SECONDS = 10;

export type IngestAdmission = { readonly ok: true } | { readonly ok: false; readonly retryAfterSeconds: number; readonly message: string };

export class IngestLimiter {
  readonly #events: TokenBucket;
  readonly #requests: TokenBucket;
  readonly #rates: IngestRates;

  constructor(rates: IngestRates, nowMs: number) {
    this.#rates = rates;
    this.#events = new TokenBucket({ capacity: Math.max(rates.eventsPerSecond * INGEST_BURST_SECONDS, MAX_EVENTS_PER_BATCH), refillPerSecond: rates.eventsPerSecond }, nowMs);
    this.#requests = new TokenBucket({ capacity: rates.requestsPerSecond * INGEST_BURST_SECONDS, refillPerSecond: rates.requestsPerSecond }, nowMs);
  }

  /** Admits a request of `events` events, or says (in whole seconds, at least 1) when to retry. */
  admit(nowMs: number, events: number): IngestAdmission {
    const request = this.#requests.take(nowMs);
    if (!request.ok) return refusal(request.retryAfterMs, `more than ${this.#rates.requestsPerSecond} webhook requests per second on this channel`);
    const batch = this.#events.take(nowMs, events);
    if (!batch.ok) return refusal(batch.retryAfterMs, `more than ${this.#rates.eventsPerSecond} events per second on this channel`);
    return { ok: true };
  }
}

function refusal(retryAfterMs: number, why: string): IngestAdmission {
  const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return { ok: false, retryAfterSeconds, message: `${why}; nothing was stored, retry after ${retryAfterSeconds} s` };
}
