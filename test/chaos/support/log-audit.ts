/**
 * Reads a channel's whole delta log over REST (`GET …/deltas?since=0&replay=always`, paged)
 * and checks it against itself: one epoch, seqs 1..head with no gap, and
 * replaying it from the empty state gives the snapshot. Returns how often
 * each event id caused a delta, for the exactly-once check.
 */
import { applyChanges, emptyState, Paths, type ChannelState, type DeltasResponse, type SnapshotResponse } from "../../../protocol/index.ts";

/** GETs a path of the hub as a viewer and parses its 200 answer. */
export type ReadJson = <T>(path: string) => Promise<T>;

export interface LogAudit {
  readonly head: number;
  /** Event id → number of deltas it caused. */
  readonly causes: ReadonlyMap<string, number>;
  /** Deltas the hub made on its own (agent expiry). */
  readonly uncaused: number;
  /** The state the log replays to. */
  readonly replayed: ChannelState;
}

export async function auditLog(readJson: ReadJson, channel: string, snapshot: SnapshotResponse): Promise<LogAudit> {
  const causes = new Map<string, number>();
  const replayed = emptyState();
  let uncaused = 0;
  let since = 0;
  while (since < snapshot.seq) {
    // replay=always: the log itself, even where a snapshot would be the cheaper answer.
    const query = new URLSearchParams({ since: String(since), epoch: snapshot.epoch, replay: "always" });
    const page = await readJson<DeltasResponse>(`${Paths.deltas(channel)}?${query}`);
    if (!page.recovered) throw new Error(`${channel}: the log no longer reaches back to seq ${since + 1}`);
    if (page.deltas.length === 0) throw new Error(`${channel}: the log stops at ${since}, the snapshot is at ${snapshot.seq}`);
    for (const delta of page.deltas) {
      if (delta.epoch !== snapshot.epoch) throw new Error(`${channel}: delta ${delta.seq} is in epoch ${delta.epoch}, not ${snapshot.epoch}`);
      if (delta.seq !== since + 1) throw new Error(`${channel}: the log goes from ${since} to ${delta.seq}`);
      since = delta.seq;
      applyChanges(replayed, delta.changes);
      // A conflated delta names every event it merges.
      const ids = delta.cause?.ids ?? (delta.cause?.id === undefined ? [] : [delta.cause.id]);
      if (ids.length === 0) uncaused++;
      for (const id of ids) causes.set(id, (causes.get(id) ?? 0) + 1);
      if (since === snapshot.seq) break;
    }
  }
  return { head: since, causes, uncaused, replayed };
}
