/**
 * Decides how a (re)connecting client catches up: replay the deltas it
 * missed, or start over from a snapshot.
 */
import type { SnapshotReason } from "../../protocol/index.ts";
export interface LogPosition {
  readonly epoch: string;
  /** Newest seq (0 when nothing happened yet). */
  readonly head: number;
  /** Oldest retained seq; head + 1 when the log is empty. */
  readonly oldest: number;
}

/** Where a client asks to resume: after `since` in `epoch`; either absent asks for a snapshot. */
export interface ResumeRequest {
  readonly since?: number;
  readonly epoch?: string;
}

export type ReplayPlan =
  | { readonly mode: "replay"; readonly after: number; readonly head: number }
  /** "too-large" and "cheaper-snapshot" are decided by {@link planByCost}, once the log position allows a replay. */
  | { readonly mode: "snapshot"; readonly reason: SnapshotReason };

export function planReplay(request: ResumeRequest, log: LogPosition): ReplayPlan {
  const { since, epoch } = request;
  if (since === undefined || epoch === undefined) return { mode: "snapshot", reason: "no-cursor" };
  if (epoch !== log.epoch) return { mode: "snapshot", reason: "epoch-mismatch" };
  if (since > log.head) return { mode: "snapshot", reason: "ahead" };
  // Deltas since+1 .. head must all still be in the log.
  if (since + 1 < log.oldest) return { mode: "snapshot", reason: "too-old" };
  return { mode: "replay", after: since, head: log.head };
}

/** Parses the `since` / `epoch` query parameters; anything malformed means "no cursor". */
export function parseResumeRequest(since: string | null | undefined, epoch: string | null | undefined): ResumeRequest {
  // Digits only, as on REST: "1e3" or " 5" are not seqs.
  const n = since && /^\d{1,15}$/.test(since) ? Number(since) : NaN;
  return Number.isSafeInteger(n) && epoch ? { since: n, epoch } : {};
}

/** What a replay and a snapshot would cost, in UTF-8 bytes: the deltas' stored sizes, the last snapshot's size. */
export interface ReplayCost {
  readonly replayBytes: number;
  readonly snapshotBytes: number;
  readonly maxReplayBytes: number;
}

/**
 * A possible replay is still answered with a snapshot when it would exceed the replay bound ("too-large") or
 * carry more bytes than the snapshot ("cheaper-snapshot"): a replay never costs more than a snapshot.
 */
export function planByCost(plan: ReplayPlan, cost: ReplayCost): ReplayPlan {
  if (plan.mode !== "replay") return plan;
  if (cost.replayBytes > cost.maxReplayBytes) return { mode: "snapshot", reason: "too-large" };
  if (cost.replayBytes > cost.snapshotBytes) return { mode: "snapshot", reason: "cheaper-snapshot" };
  return plan;
}
