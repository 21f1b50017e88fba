/**
 * A hub's `Retry-After`, as a wait the bridge can afford: delay-seconds or an
 * HTTP date, at most MAX_RETRY_AFTER_MS. A larger value (or one past what
 * `setTimeout` can hold, which it would turn into 1 ms) waits the maximum;
 * an unreadable one is ignored (null), so the bridge's own backoff applies.
 */
export const MAX_RETRY_AFTER_MS = 5 * 60_000;

const DELAY_SECONDS = /^\d+$/;

export function parseRetryAfterMs(header: string | null, nowMs: number): number | null {
  const value = header?.trim();
  if (!value) return null;
  if (DELAY_SECONDS.test(value)) return Math.min(Number(value) * 1000, MAX_RETRY_AFTER_MS);
  // An HTTP date has letters: a bare number in another notation ("1e9", "0x10", "-1") is not one.
  if (!/[a-z]/i.test(value)) return null;
  const atMs = Date.parse(value);
  if (Number.isNaN(atMs)) return null;
  return Math.min(Math.max(atMs - nowMs, 0), MAX_RETRY_AFTER_MS);
}
