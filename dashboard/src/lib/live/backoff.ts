/**
 * Full-jitter exponential backoff (as in centrifuge-js): the delay is drawn
 * uniformly from [0, min(cap, base · 2^(attempt-1))], so clients that lost
 * their connection at the same moment (a server restart) spread their
 * retries instead of reconnecting in lockstep.
 */
export interface BackoffOptions {
  readonly baseMs: number;
  readonly capMs: number;
  /** The window never shrinks below this (e.g. after a rate-limit close). */
  readonly minWindowMs?: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, capMs: 30_000 };

/** The upper bound of the delay for a 1-based attempt. */
export function backoffWindowMs(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 30));
  const window = Math.min(options.capMs, options.baseMs * 2 ** exponent);
  return Math.max(window, Math.min(options.minWindowMs ?? 0, options.capMs));
}

/** A delay in [0, window); `random` returns values in [0, 1) like Math.random. */
export function backoffDelayMs(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  return Math.floor(random() * backoffWindowMs(attempt, options));
}
