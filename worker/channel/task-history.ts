/**
 * A task's history, read from the retained delta log. Each delta is indexed
 * by the tasks it changes when it is committed (the storage keeps a
 * (tag, task, seq) table beside the log), so a page is an index range,
 * never a scan of the whole log.
 */
import type { Change, DeltaFrame, TaskHistoryItem, TaskHistoryResponse } from "../../protocol/index.ts";
import type { ChannelStorage, StoredDelta, TaskRef } from "./storage.ts";
import type { LogPosition } from "./replay-planner.ts";

/** The tasks a delta's changes touch, each once. A subtask's change is its parent's (subtasks travel inside their task). */
export function taskRefsOf(changes: readonly Change[]): TaskRef[] {
  const seen = new Set<string>();
  const refs: TaskRef[] = [];
  for (const change of changes) {
    if (change.kind !== "task") continue;
    const id = `${change.tag}/${change.key}`;
    if (seen.has(id)) continue;
    seen.add(id);
    refs.push({ tag: change.tag, id: change.key });
  }
  return refs;
}

export interface TaskHistoryQuery {
  readonly tag: string;
  readonly id: string;
  /** Only deltas with a smaller seq; undefined for the newest. */
  readonly before: number | undefined;
  readonly limit: number;
}

/** One page, newest first, each delta reduced to this task's changes. */
export function taskHistoryPage(storage: Pick<ChannelStorage, "taskDeltasBefore">, position: LogPosition, query: TaskHistoryQuery): TaskHistoryResponse {
  const before = query.before ?? Number.MAX_SAFE_INTEGER;
  // One more than asked tells whether an older page exists.
  const rows = storage.taskDeltasBefore(query.tag, query.id, before, query.limit + 1);
  const page = rows.slice(0, query.limit);
  return {
    epoch: position.epoch,
    tag: query.tag,
    id: query.id,
    items: page.map((row) => historyItem(row, query.tag, query.id)),
    nextBefore: rows.length > query.limit ? page[page.length - 1]!.seq : null,
    oldestRetainedSeq: position.oldest,
    head: position.head,
  };
}

function historyItem(row: StoredDelta, tag: string, id: string): TaskHistoryItem {
  const frame = JSON.parse(row.json) as DeltaFrame;
  const changes = frame.changes.filter((c) => c.kind === "task" && c.tag === tag && c.key === id);
  return frame.cause ? { seq: frame.seq, at: frame.at, changes, cause: frame.cause } : { seq: frame.seq, at: frame.at, changes };
}
