/**
 * The task `task-master next` would return, computed on the hub's state of one tag.
 *
 * The rules are read from Task Master's own source, task-master-ai 0.43.1:
 * the `next` command (`NextCommand.getNextTask`, dist/dependency-manager-BJq6jWA5.js)
 * asks tm-core's `TaskService.getNextTask(tag)` (dist/config-manager-DTKWXIqv.js),
 * which does this:
 * - The tag is `--tag`, else state.json's `currentTag` (here: `meta.currentTag`, else "master").
 * - Only top-level tasks whose status is exactly `pending`, `in-progress` or `done`
 *   take part (`getTaskList` with that status filter).
 * - Complete ids: those tasks with status `done`, and their subtasks with status
 *   `done` ("<parent>.<sub>"). Only `done` counts: `cancelled` does not satisfy a
 *   dependency, and a done subtask of a cancelled, deferred, blocked or review
 *   parent does not either (its parent was filtered out).
 * - First, subtasks of `in-progress` parents: a subtask whose status (absent =
 *   pending) is `pending` or `in-progress` and whose dependencies are all
 *   complete. A subtask's dependency that is a bare number (or a string without a
 *   dot) is its sibling `<parent>.<n>`; a dotted id is kept. The priority is the
 *   subtask's, else the parent's, else `medium`. If there is any, the first by:
 *   priority (critical 4 > high 3 > medium 2 > low 1; unknown counts as 2),
 *   then fewer dependencies, then parent id, then subtask id, numerically.
 * - Else top-level tasks with status `pending` or `in-progress` whose
 *   dependencies are all complete, first by priority, then fewer
 *   dependencies, then id (numerically).
 * - Else none: `--format json` prints `{ "task": null, "found": false, "tag", "storageType", "hasAnyTasks" }`.
 *
 * Where this differs: 0.43.1's `next` exits with "Invalid task status" when a
 * top-level task has any other status (the legacy `completed` included) and
 * "Invalid task priority" when one has no priority, and it treats a
 * `completed` subtask as not done. The hub carries `completed` as `done`, so
 * here a `completed` item counts as done, as Task Master's older
 * `findNextTask` (dist/dependency-manager-BJq6jWA5.js, used by the legacy `listTasks`,
 * `use-tag` and the MCP `next_task` tool) counts it; a missing priority counts
 * as `medium`. The parity fixtures hold no `completed` for that reason.
 * Proven against the real CLI on generated projects: test/unit/dashboard/next-task-parity.test.ts.
 */
import { DEFAULT_TAG, type ChannelState, type TaskPriority, type TaskState, type TaskStatus } from "../../../../protocol/index.ts";
import { resolveDependencyId } from "./work-items.ts";

/** Why the winner beat the runner-up: the first sort key that told them apart. */
export type DecidedBy = "only" | "priority" | "dependencies" | "id";

export interface NextPick {
  /** "3", or "2.1" for a subtask. */
  readonly id: string;
  /** The parent task of a subtask, else null. */
  readonly parentId: string | null;
  readonly title: string;
  readonly status: TaskStatus;
  /** The priority the ranking used (a subtask's falls back to its parent's, then `medium`). */
  readonly priority: TaskPriority;
  /** Full ids: a subtask's bare sibling numbers resolved to "<parent>.<n>". */
  readonly dependencies: readonly string[];
  /** How many items were ready in the winner's round (subtasks of in-progress tasks, or top-level tasks). */
  readonly candidates: number;
  readonly decidedBy: DecidedBy;
}

type Tasks = Readonly<Record<string, TaskState>>;

/** The hub only carries these four; Task Master ranks any other value as 2. */
const PRIORITY_RANK: Readonly<Record<TaskPriority, number>> = { critical: 4, high: 3, medium: 2, low: 1 };
/** The statuses `getTaskList` keeps before anything else is looked at. */
const CONSIDERED: ReadonlySet<string> = new Set(["pending", "in-progress", "done"]);
const CANDIDATE: ReadonlySet<string> = new Set(["pending", "in-progress"]);

/** The ids that satisfy a dependency under `next`'s rules (see the file comment). */
export function completedIds(tasks: Tasks): Set<string> {
  const complete = new Set<string>();
  for (const task of Object.values(tasks)) {
    if (!CONSIDERED.has(task.status)) continue;
    if (task.status === "done") complete.add(task.id);
    for (const sub of task.subtasks) if (sub.status === "done") complete.add(sub.id);
  }
  return complete;
}

type Candidate = Omit<NextPick, "candidates" | "decidedBy">;

function compareIds(a: string, b: string): number {
  const [aHead = NaN, aTail = 0] = a.split(".").map(Number);
  const [bHead = NaN, bTail = 0] = b.split(".").map(Number);
  if (Number.isNaN(aHead) || Number.isNaN(bHead)) return a.localeCompare(b, undefined, { numeric: true });
  return aHead === bHead ? aTail - bTail : aHead - bHead;
}

function decide(a: Candidate, b: Candidate): { order: number; by: Exclude<DecidedBy, "only"> } {
  const rankA = PRIORITY_RANK[a.priority];
  const rankB = PRIORITY_RANK[b.priority];
  if (rankA !== rankB) return { order: rankB - rankA, by: "priority" };
  if (a.dependencies.length !== b.dependencies.length) return { order: a.dependencies.length - b.dependencies.length, by: "dependencies" };
  return { order: compareIds(a.id, b.id), by: "id" };
}

function best(candidates: Candidate[]): NextPick | null {
  const sorted = [...candidates].sort((a, b) => decide(a, b).order);
  const [winner, runnerUp] = sorted;
  if (!winner) return null;
  return { ...winner, candidates: sorted.length, decidedBy: runnerUp ? decide(winner, runnerUp).by : "only" };
}

function subtaskCandidates(tasks: Tasks, complete: ReadonlySet<string>): Candidate[] {
  const out: Candidate[] = [];
  for (const task of Object.values(tasks)) {
    if (task.status !== "in-progress") continue;
    for (const sub of task.subtasks) {
      if (!CANDIDATE.has(sub.status)) continue;
      const dependencies = sub.dependencies.map((d) => resolveDependencyId(d, task));
      if (!dependencies.every((d) => complete.has(d))) continue;
      const priority = sub.priority ?? task.priority ?? "medium";
      const localId = sub.id.slice(task.id.length + 1);
      out.push({ id: sub.id, parentId: task.id, title: sub.title || `Subtask ${localId}`, status: sub.status, priority, dependencies });
    }
  }
  return out;
}

function taskCandidates(tasks: Tasks, complete: ReadonlySet<string>): Candidate[] {
  const out: Candidate[] = [];
  for (const task of Object.values(tasks)) {
    if (!CANDIDATE.has(task.status) || !task.dependencies.every((d) => complete.has(d))) continue;
    const priority = task.priority ?? "medium";
    out.push({ id: task.id, parentId: null, title: task.title || `Task ${task.id}`, status: task.status, priority, dependencies: task.dependencies });
  }
  return out;
}

/** The next task of one tag, or null when nothing is ready. */
export function nextTask(tasks: Tasks | undefined): NextPick | null {
  if (!tasks) return null;
  const complete = completedIds(tasks);
  return best(subtaskCandidates(tasks, complete)) ?? best(taskCandidates(tasks, complete));
}

export interface NextDependencyView {
  readonly id: string;
  /** Null when the id is not in this tag. */
  readonly title: string | null;
  readonly status: TaskStatus | null;
  readonly satisfied: boolean;
}

export type NothingReady = "no-tasks" | "all-done" | "waiting" | "none-pending";

export type NextTaskView =
  | {
      readonly found: true;
      readonly tag: string;
      readonly id: string;
      readonly parentId: string | null;
      readonly title: string;
      readonly status: TaskStatus;
      readonly priority: TaskPriority;
      readonly dependencies: readonly NextDependencyView[];
      readonly reason: string;
    }
  | { readonly found: false; readonly tag: string; readonly why: NothingReady; readonly message: string };

function lookUp(tasks: Tasks, id: string): { title: string | null; status: TaskStatus | null } {
  const task = tasks[id];
  if (task) return { title: task.title ?? null, status: task.status };
  const parent = tasks[id.slice(0, id.indexOf("."))];
  const sub = parent?.subtasks.find((s) => s.id === id);
  return sub ? { title: sub.title ?? null, status: sub.status } : { title: null, status: null };
}

function reasonOf(pick: NextPick): string {
  const items = pick.parentId === null ? "ready tasks" : "ready subtasks";
  const why: Record<DecidedBy, string> = {
    only: pick.parentId === null ? "the only ready task" : "the only ready subtask",
    priority: `highest priority of ${pick.candidates} ${items}`,
    dependencies: `fewest dependencies of ${pick.candidates} ${items} at ${pick.priority} priority`,
    id: `lowest id of ${pick.candidates} ${items} at ${pick.priority} priority`,
  };
  const text = why[pick.decidedBy];
  return pick.parentId === null ? text.charAt(0).toUpperCase() + text.slice(1) : `Subtask of in-progress task ${pick.parentId}: ${text}`;
}

const STATUS_WORDS: Readonly<Partial<Record<TaskStatus, string>>> = { review: "in review" };

function nothingReady(tag: string, tasks: Tasks | undefined): NextTaskView {
  const all = Object.values(tasks ?? {});
  if (all.length === 0) return { found: false, tag, why: "no-tasks", message: `No tasks in ${tag}.` };
  const open = all.filter((t) => CANDIDATE.has(t.status)).length;
  if (open > 0) {
    const noun = open === 1 ? "The pending or in-progress task waits" : `All ${open} pending or in-progress tasks wait`;
    return { found: false, tag, why: "waiting", message: `${noun} on dependencies that are not done.` };
  }
  const left = all.filter((t) => t.status !== "done" && t.status !== "cancelled");
  if (left.length === 0) return { found: false, tag, why: "all-done", message: "Every task is done." };
  const counts = new Map<TaskStatus, number>();
  for (const t of left) counts.set(t.status, (counts.get(t.status) ?? 0) + 1);
  const listed = [...counts].map(([status, n]) => `${n} ${STATUS_WORDS[status] ?? status}`).join(", ");
  return { found: false, tag, why: "none-pending", message: `No pending task: ${listed}.` };
}

/** What the Next task panel shows for a tag (default: the project's current tag). */
export function nextTaskView(state: ChannelState, tag: string = state.meta.currentTag ?? DEFAULT_TAG): NextTaskView {
  const tasks = state.tasks[tag];
  const pick = nextTask(tasks);
  if (!pick || !tasks) return nothingReady(tag, tasks);
  const complete = completedIds(tasks);
  return {
    found: true,
    tag,
    id: pick.id,
    parentId: pick.parentId,
    title: pick.title,
    status: pick.status,
    priority: pick.priority,
    dependencies: pick.dependencies.map((id) => ({ id, ...lookUp(tasks, id), satisfied: complete.has(id) })),
    reason: reasonOf(pick),
  };
}
