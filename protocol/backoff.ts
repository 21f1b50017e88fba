/**
 * Retry delays, one policy for every client (dashboard sockets and polls,
 * bridge posts): exponential, capped, with full jitter, as in centrifuge-js.
 * The delay is drawn uniformly from the attempt's window, so clients that lost
 * the hub at the same moment (a restart) spread their retries instead of
 * coming back in lockstep. Pure.
 */
export interface BackoffPolicy {
  /** The window of the first attempt. */
  readonly baseMs: number;
  /** The window never grows past this. */
  readonly capMs: number;
  /** The window never shrinks below this (e.g. after a rate-limit close). */
  readonly minWindowMs?: number;
  /** No delay is shorter than this: a sender must never retry in a tight loop. */
  readonly floorMs?: number;
}

/** The upper bound of the delay for a 1-based attempt. */
export function backoffWindowMs(attempt: number, policy: BackoffPolicy): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 30));
  const window = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
  return Math.max(window, Math.min(policy.minWindowMs ?? 0, policy.capMs));
}

/** The delay before 1-based attempt `attempt`, in [floorMs, window). `random` returns [0, 1) like Math.random. */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  return Math.max(policy.floorMs ?? 0, Math.floor(random() * backoffWindowMs(attempt, policy)));
}
