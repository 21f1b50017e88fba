/** Task rows for one Task Master tag, filtered and searched. */
import { DEFAULT_TAG, TASK_STATUSES, type AgentStatus, type ChannelState, type TaskPriority, type TaskState, type TaskStatus } from "../../../../protocol/index.ts";
import { dependencyViews, type DependencyView } from "./work-items.ts";

export type StatusFilter = TaskStatus | "all" | "open";
/** A priority, "none" for tasks without one, or "all". */
export type PriorityFilter = TaskPriority | "none" | "all";

export interface TaskFilter {
  readonly status: StatusFilter;
  readonly priority: PriorityFilter;
  /** An agent id, or "all". */
  readonly agent: string;
  readonly search: string;
}

export const NO_FILTER: TaskFilter = { status: "all", priority: "all", agent: "all", search: "" };

export interface SubtaskView {
  readonly id: string;
  readonly title: string;
  readonly status: TaskStatus;
  /** Description and details, for search. */
  readonly text: string;
  /** What to show: Task Master's own text for a status the hub does not know, else `status`. */
  readonly statusText: string;
}

export interface TaskRow {
  readonly id: string;
  readonly tag: string;
  readonly title: string;
  readonly description: string | null;
  readonly details: string | null;
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
  /** Agents working on the task now (the hub's `agents`), by id; names come from the agents, which change on their own. */
  readonly workingAgentIds: readonly string[];
  readonly updatedAt: string;
}

export interface WorkingAgent {
  readonly id: string;
  readonly name: string;
  readonly status: AgentStatus;
}

/** The agents working on a row, named, for display (an id the state does not know is shown as is). */
export function workingAgents(row: TaskRow, agents: ChannelState["agents"]): WorkingAgent[] {
  return row.workingAgentIds.map((id) => {
    const agent = Object.hasOwn(agents, id) ? agents[id] : undefined;
    return { id, name: agent?.name ?? id, status: agent?.status ?? "online" };
  });
}

/** Statuses that close a task: they drop out of "open". */
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
 * deltas/s an untouched tag costs nothing per frame. Within a changed tag, a
 * row is rebuilt only for a changed task or one whose dependencies changed:
 * the others keep their identity, so their rendered rows do not update.
 */
const rowsByTagRecord = new WeakMap<Record<string, TaskState>, TaskRow[]>();
const rowByTask = new WeakMap<TaskState, TaskRow>();
const byNumericId = new Intl.Collator(undefined, { numeric: true }).compare;

export function taskRows(state: ChannelState, tag: string): TaskRow[] {
  const tasks = state.tasks[tag];
  if (!tasks) return [];
  let rows = rowsByTagRecord.get(tasks);
  if (!rows) {
    rows = Object.values(tasks)
      .map((task) => cachedRow(task, tasks))
      .sort((a, b) => byNumericId(a.id, b.id));
    rowsByTagRecord.set(tasks, rows);
  }
  return rows;
}

function cachedRow(task: TaskState, siblings: Record<string, TaskState>): TaskRow {
  const cached = rowByTask.get(task);
  const dependencies = dependencyViews(siblings, task, null);
  if (cached && sameDependencies(cached.dependencies, dependencies)) return cached;
  const row = toRow(task, dependencies);
  rowByTask.set(task, row);
  return row;
}

function sameDependencies(a: readonly DependencyView[], b: readonly DependencyView[]): boolean {
  return a.length === b.length && a.every((d, i) => d.id === b[i]!.id && d.title === b[i]!.title && d.status === b[i]!.status && d.satisfied === b[i]!.satisfied);
}

export function statusCounts(rows: readonly TaskRow[]): Record<TaskStatus, number> {
  const counts = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
  for (const row of rows) counts[row.status]++;
  return counts;
}

/**
 * The rows the filter keeps. `agentsOf` names the agents working on a row
 * (its own agentId and the agents reporting it, or one of its subtasks, as their task).
 */
export function filterRows(rows: readonly TaskRow[], filter: TaskFilter, agentsOf: (row: TaskRow) => readonly string[] = ownAgent): TaskRow[] {
  const needle = filter.search.trim().toLowerCase();
  return rows.filter((row) => {
    if (filter.status === "open" ? CLOSED.has(row.status) : filter.status !== "all" && row.status !== filter.status) return false;
    if (filter.priority !== "all" && (row.priority ?? "none") !== filter.priority) return false;
    if (filter.agent !== "all" && !agentsOf(row).includes(filter.agent)) return false;
    if (!needle) return true;
    const has = (text: string | null) => text !== null && text.toLowerCase().includes(needle);
    return (
      row.id.toLowerCase() === needle ||
      has(row.title) ||
      has(row.description) ||
      has(row.details) ||
      agentsOf(row).some(has) ||
      row.subtasks.some((s) => s.id.toLowerCase() === needle || has(s.title) || has(s.text))
    );
  });
}

function ownAgent(row: TaskRow): readonly string[] {
  return row.agentId ? [row.agentId] : [];
}

/** Done share of a tag, 0-100, as `task-master list` shows it: done tasks over all tasks. */
export function tagCompletion(rows: readonly { readonly status: string }[]): number {
  if (rows.length === 0) return 0;
  return Math.round((rows.filter((r) => r.status === "done").length * 100) / rows.length);
}

function toRow(task: TaskState, dependencies: readonly DependencyView[]): TaskRow {
  const subtasksDone = task.subtasks.filter((s) => s.status === "done").length;
  const { percent, source } = progressOf(task, subtasksDone);
  return {
    id: task.id,
    tag: task.tag,
    title: task.title ?? `Task ${task.id}`,
    description: task.description ?? null,
    details: task.details ?? null,
    status: task.status,
    statusText: task.statusRaw ?? task.status,
    priority: task.priority ?? null,
    percent,
    percentSource: source,
    progressMessage: task.progress?.message ?? null,
    dependencies,
    waitingOn: dependencies.filter((d) => !d.satisfied).length,
    subtasks: task.subtasks.map((s) => ({ id: s.id, title: s.title ?? `Subtask ${s.id}`, status: s.status, statusText: s.statusRaw ?? s.status, text: [s.description, s.details].filter(Boolean).join("\n") })),
    subtasksDone,
    agentId: task.agentId ?? null,
    workingAgentIds: task.agents ?? [],
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
