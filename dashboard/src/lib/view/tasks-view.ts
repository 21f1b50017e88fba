/** Task rows for one Task Master tag, filtered and searched. */
import { DEFAULT_TAG, TASK_STATUSES, type ChannelState, type TaskPriority, type TaskState, type TaskStatus } from "../../../../protocol/index.ts";

export type StatusFilter = TaskStatus | "all" | "open";

export interface DependencyView {
  readonly id: string;
  /** Null when the dependency is not in this tag (removed, or never sent). */
  readonly status: TaskStatus | null;
  readonly done: boolean;
}

export interface SubtaskView {
  readonly id: string;
  readonly title: string;
  readonly status: TaskStatus;
  /** What to show: Task Master's own text for a status the hub does not know, else `status`. */
  readonly statusText: string;
}

export interface TaskRow {
  readonly id: string;
  readonly tag: string;
  readonly title: string;
  readonly description: string | null;
  readonly status: TaskStatus;
  /** What to show: Task Master's own text for a status the hub does not know, else `status`. */
  readonly statusText: string;
  readonly priority: TaskPriority | null;
  /** 0-100: the reported progress, else the share of done subtasks, else 100 when done. */
  readonly percent: number;
  readonly percentSource: "reported" | "subtasks" | "status";
  readonly progressMessage: string | null;
  readonly dependencies: readonly DependencyView[];
  readonly waitingOn: number;
  readonly subtasks: readonly SubtaskView[];
  readonly subtasksDone: number;
  readonly agentId: string | null;
  readonly updatedAt: string;
}

/** Statuses that close a task: they satisfy dependencies and drop out of "open". */
const CLOSED: ReadonlySet<TaskStatus> = new Set(["done", "cancelled"]);

export function tagNames(state: ChannelState): string[] {
  return Object.keys(state.tasks).sort((a, b) => (a === DEFAULT_TAG ? -1 : b === DEFAULT_TAG ? 1 : a.localeCompare(b)));
}

/** The tag to show first: the project's current tag, else "master", else the first. */
export function defaultTag(state: ChannelState): string | null {
  const tags = tagNames(state);
  const current = state.meta.currentTag;
  if (current && tags.includes(current)) return current;
  return tags[0] ?? null;
}

/**
 * Rows of one tag. The connection layer copies a tag's record whenever one of
 * its tasks changes (copy-on-write), so rows are cached per record: at 500
 * deltas/s an untouched tag costs nothing per frame.
 */
const rowsByTagRecord = new WeakMap<Record<string, TaskState>, TaskRow[]>();

export function taskRows(state: ChannelState, tag: string): TaskRow[] {
  const tasks = state.tasks[tag];
  if (!tasks) return [];
  let rows = rowsByTagRecord.get(tasks);
  if (!rows) {
    rows = Object.values(tasks)
      .map((task) => toRow(task, tasks))
      .sort((a, b) => a.id.localeCompare(b.id, undefined, { numeric: true }));
    rowsByTagRecord.set(tasks, rows);
  }
  return rows;
}

export function statusCounts(rows: readonly TaskRow[]): Record<TaskStatus, number> {
  const counts = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
  for (const row of rows) counts[row.status]++;
  return counts;
}

export function filterRows(rows: readonly TaskRow[], filter: StatusFilter, search: string): TaskRow[] {
  const needle = search.trim().toLowerCase();
  return rows.filter((row) => {
    if (filter === "open" ? CLOSED.has(row.status) : filter !== "all" && row.status !== filter) return false;
    if (!needle) return true;
    return (
      row.id.toLowerCase() === needle ||
      row.title.toLowerCase().includes(needle) ||
      (row.agentId?.toLowerCase().includes(needle) ?? false) ||
      row.subtasks.some((s) => s.title.toLowerCase().includes(needle))
    );
  });
}

/** Done share of a tag, 0-100, counting cancelled tasks as neither done nor to do. */
export function tagCompletion(rows: readonly TaskRow[]): number {
  const counted = rows.filter((r) => r.status !== "cancelled");
  if (counted.length === 0) return 0;
  return Math.round((counted.filter((r) => r.status === "done").length * 100) / counted.length);
}

function toRow(task: TaskState, siblings: Record<string, TaskState>): TaskRow {
  const subtasksDone = task.subtasks.filter((s) => s.status === "done").length;
  const { percent, source } = progressOf(task, subtasksDone);
  const dependencies = task.dependencies.map((id): DependencyView => {
    const status = siblings[id]?.status ?? null;
    return { id, status, done: status !== null && CLOSED.has(status) };
  });
  return {
    id: task.id,
    tag: task.tag,
    title: task.title ?? `Task ${task.id}`,
    description: task.description ?? null,
    status: task.status,
    statusText: task.statusRaw ?? task.status,
    priority: task.priority ?? null,
    percent,
    percentSource: source,
    progressMessage: task.progress?.message ?? null,
    dependencies,
    waitingOn: dependencies.filter((d) => !d.done).length,
    subtasks: task.subtasks.map((s) => ({ id: s.id, title: s.title ?? `Subtask ${s.id}`, status: s.status, statusText: s.statusRaw ?? s.status })),
    subtasksDone,
    agentId: task.agentId ?? null,
    updatedAt: task.updatedAt,
  };
}

function progressOf(task: TaskState, subtasksDone: number): { percent: number; source: TaskRow["percentSource"] } {
  if (task.status === "done") return { percent: 100, source: "status" };
  if (task.progress) return { percent: clampPercent(task.progress.percent), source: "reported" };
  if (task.subtasks.length > 0) return { percent: Math.round((subtasksDone * 100) / task.subtasks.length), source: "subtasks" };
  return { percent: 0, source: "status" };
}

function clampPercent(value: number): number {
  return Math.min(100, Math.max(0, Math.round(value)));
}
