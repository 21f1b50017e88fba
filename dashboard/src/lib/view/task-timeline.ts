/**
 * A task's timeline: its status and progress changes with their times, read
 * from the history the hub retains (GET …/tasks/:tag/:id/history) and the
 * live deltas that arrived since. A subtask's entries come from its task's
 * history (subtasks travel inside their task).
 */
import type { Change, TaskHistoryItem, TaskStatus } from "../../../../protocol/index.ts";
import type { ActivityEntry } from "../live/index.ts";

export type TimelineEntry =
  | { readonly kind: "added"; readonly seq: number; readonly atIso: string; readonly subject: string; readonly status: TaskStatus }
  | { readonly kind: "status"; readonly seq: number; readonly atIso: string; readonly subject: string; readonly from: TaskStatus | null; readonly to: TaskStatus }
  | { readonly kind: "progress"; readonly seq: number; readonly atIso: string; readonly subject: string; readonly percent: number; readonly message: string | null }
  /** Who works on it: the agents the hub links to the task (their ids). */
  | { readonly kind: "agents"; readonly seq: number; readonly atIso: string; readonly subject: string; readonly agents: readonly string[] }
  | { readonly kind: "updated"; readonly seq: number; readonly atIso: string; readonly subject: string; readonly fields: readonly string[] }
  | { readonly kind: "removed"; readonly seq: number; readonly atIso: string; readonly subject: string };

type TaskChange = Extract<Change, { kind: "task" }>;

/** Live deltas as history items of one task: only that task's changes, only deltas that have some. */
export function liveHistoryItems(entries: readonly ActivityEntry[], tag: string, taskId: string): TaskHistoryItem[] {
  const out: TaskHistoryItem[] = [];
  for (const entry of entries) {
    const changes = entry.changes.filter((c) => c.kind === "task" && c.tag === tag && c.key === taskId);
    if (changes.length > 0) out.push(entry.cause ? { seq: entry.seq, at: entry.atIso, changes, cause: entry.cause } : { seq: entry.seq, at: entry.atIso, changes });
  }
  return out;
}

/**
 * Whether the live deltas continue the loaded history without a hole: every seq
 * from `historyHead + 1` to `appliedSeq` must be among them (else reload the newest page).
 */
export function liveCoversSince(entries: readonly ActivityEntry[], historyHead: number, appliedSeq: number): boolean {
  if (appliedSeq <= historyHead) return true;
  const seqs = new Set(entries.map((e) => e.seq));
  for (let seq = historyHead + 1; seq <= appliedSeq; seq++) if (!seqs.has(seq)) return false;
  return true;
}

/** Newest first, one entry per visible change; `subject` is the task id or one of its subtasks' ids. */
export function timelineEntries(items: readonly TaskHistoryItem[]): TimelineEntry[] {
  const oldestFirst = [...new Map(items.map((item) => [item.seq, item])).values()].sort((a, b) => a.seq - b.seq);
  let status: TaskStatus | null = null;
  let subStatuses: Map<string, TaskStatus> | null = null;
  const out: TimelineEntry[] = [];
  for (const item of oldestFirst) {
    const base = { seq: item.seq, atIso: item.at };
    for (const change of item.changes) {
      if (change.kind !== "task") continue;
      const subject = change.key;
      if (change.op === "remove") {
        out.push({ kind: "removed", ...base, subject });
        status = null;
        subStatuses = null;
        continue;
      }
      if (change.op === "set") {
        out.push({ kind: "added", ...base, subject, status: change.value.status });
        status = change.value.status;
        subStatuses = new Map(change.value.subtasks.map((s) => [s.id, s.status]));
        continue;
      }
      const value = change.value;
      if (value.status !== undefined) {
        out.push({ kind: "status", ...base, subject, from: status, to: value.status });
        status = value.status;
      }
      if (value.progress !== undefined) {
        out.push({ kind: "progress", ...base, subject, percent: value.progress.percent, message: value.progress.message ?? null });
      }
      if (value.subtasks !== undefined) {
        out.push(...subtaskEntries(base, value.subtasks, subStatuses));
        subStatuses = new Map(value.subtasks.map((s) => [s.id, s.status]));
      }
      if (value.agents !== undefined) out.push({ kind: "agents", ...base, subject, agents: value.agents });
      const fields = otherFields(change);
      if (fields.length > 0) out.push({ kind: "updated", ...base, subject, fields });
    }
  }
  return out.reverse();
}

function subtaskEntries(base: { seq: number; atIso: string }, subtasks: readonly { id: string; status: TaskStatus }[], before: Map<string, TaskStatus> | null): TimelineEntry[] {
  // Without the subtasks as they were (older than the loaded history), a change cannot be told from a repeat.
  if (before === null) return [];
  const out: TimelineEntry[] = [];
  for (const sub of subtasks) {
    const was = before.get(sub.id);
    if (was === undefined) out.push({ kind: "added", ...base, subject: sub.id, status: sub.status });
    else if (was !== sub.status) out.push({ kind: "status", ...base, subject: sub.id, from: was, to: sub.status });
  }
  for (const id of before.keys()) if (!subtasks.some((s) => s.id === id)) out.push({ kind: "removed", ...base, subject: id });
  return out;
}

const SHOWN_ELSEWHERE = new Set(["status", "progress", "subtasks", "agents", "updatedAt"]);

function otherFields(change: Extract<TaskChange, { op: "patch" }>): string[] {
  return Object.keys(change.value).filter((name) => !SHOWN_ELSEWHERE.has(name));
}

/** The entries about one subject (a subtask's own timeline); a task's timeline is every entry. */
export function entriesAbout(entries: readonly TimelineEntry[], subject: string): TimelineEntry[] {
  return entries.filter((e) => e.subject === subject);
}

/** One line for an entry: "pending → in-progress", "Progress 40% (halfway)", "Updated title, priority". */
export function describeEntry(entry: TimelineEntry): string {
  switch (entry.kind) {
    case "added":
      return `Added as ${entry.status}`;
    case "status":
      return entry.from === null ? `Status → ${entry.to}` : `${entry.from} → ${entry.to}`;
    case "progress":
      return `Progress ${Math.round(entry.percent)}%${entry.message ? ` (${entry.message})` : ""}`;
    case "agents":
      return entry.agents.length > 0 ? `Worked on by ${entry.agents.join(", ")}` : "No agent on it";
    case "updated":
      return `Updated ${entry.fields.join(", ")}`;
    case "removed":
      return "Removed";
  }
}
