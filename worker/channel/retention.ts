/** What the alarm may forget. */
import { DELTA_LOG_MIN_AGE_MS, DELTA_LOG_MIN_ENTRIES, EVENT_ID_RETENTION_MS } from "../../protocol/index.ts";

/** How often the alarm trims, when nothing else wakes it sooner. */
export const MAINTENANCE_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Deltas with seq below the returned value may be deleted: only those that
 * are both outside the newest DELTA_LOG_MIN_ENTRIES and older than
 * DELTA_LOG_MIN_AGE_MS (the rule keeps whichever set is larger).
 * `firstSeqAtOrAfter(t)` is the smallest seq committed at or after t.
 */
export function deltaTrimBefore(head: number, nowMs: number, firstSeqAtOrAfter: (ms: number) => number): number {
  const byCount = head - DELTA_LOG_MIN_ENTRIES + 1;
  const byAge = firstSeqAtOrAfter(nowMs - DELTA_LOG_MIN_AGE_MS);
  return Math.max(0, Math.min(byCount, byAge));
}

/** Event ids received before this time may be forgotten. */
export function eventIdCutoffMs(nowMs: number): number {
  return nowMs - EVENT_ID_RETENTION_MS;
}
