/** Timings and limits of the live connection. Every one can be overridden per LiveChannel (tests shorten nothing: they use a fake clock). */
import type { BackoffPolicy } from "../../../../protocol/index.ts";

/** Full jitter from [0, min(30 s, 500 ms · 2^(attempt-1))): sockets and polls alike. */
export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, capMs: 30_000 };

export interface LiveTuning {
  readonly backoff: BackoffPolicy;
  /** A 4429 close means "too busy": wait at least this window before retrying. */
  readonly rateLimitedMinWindowMs: number;
  /** A connection live this long resets the backoff. */
  readonly stableConnectionMs: number;
  /** No hello this long after starting an attempt (ticket fetch + upgrade) → give up on it. */
  readonly attemptTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  /** The first ping after a handshake waits for the page to render it, or this long at most (hidden tabs get no frames). */
  readonly firstPingMaxWaitMs: number;
  /** A ping unanswered (and nothing else heard) this long → the connection is dead. */
  readonly pongTimeoutMs: number;
  /** No snapshot this long after a `resync` → reconnect. */
  readonly resyncTimeoutMs: number;
  /** Consecutive WebSocket attempts without a hello, while the hub answers over HTTP, before switching to long-polling. */
  readonly fallbackAfterFailures: number;
  /** After an attempt without a hello, `GET /api/health` unanswered this long means the hub is unreachable (not a blocked WebSocket). */
  readonly reachabilityTimeoutMs: number;
  /** While polling, the WebSocket is probed after a delay drawn from [min, max]. */
  readonly probeMinDelayMs: number;
  readonly probeMaxDelayMs: number;
  /** `wait=` of a long-poll once caught up. */
  readonly pollWaitSeconds: number;
  /** Client-side limit of one long-poll request (longer than the server's wait). */
  readonly pollRequestTimeoutMs: number;
  /** At most one cache write this often. */
  readonly cacheSaveIntervalMs: number;
  /** Outgoing frames kept while not connected; the oldest are dropped beyond it. */
  readonly maxQueuedFrames: number;
}

export const DEFAULT_TUNING: LiveTuning = {
  backoff: DEFAULT_BACKOFF,
  rateLimitedMinWindowMs: 5_000,
  stableConnectionMs: 5_000,
  attemptTimeoutMs: 15_000,
  heartbeatIntervalMs: 5_000,
  firstPingMaxWaitMs: 1_000,
  pongTimeoutMs: 10_000,
  resyncTimeoutMs: 10_000,
  fallbackAfterFailures: 3,
  reachabilityTimeoutMs: 5_000,
  probeMinDelayMs: 15_000,
  probeMaxDelayMs: 30_000,
  pollWaitSeconds: 20,
  pollRequestTimeoutMs: 35_000,
  cacheSaveIntervalMs: 1_000,
  maxQueuedFrames: 100,
};

export const MAX_ACTIVITY_ENTRIES = 200;
export const MAX_LOG_ENTRIES = 200;
export const MAX_DEBUG_FRAMES = 50;
/** Frames longer than this are cut in the debug panel. */
export const MAX_DEBUG_FRAME_CHARS = 400;
