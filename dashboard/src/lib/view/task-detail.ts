/**
 * What `task-master show` tells about one task or subtask, from the live
 * state. Fields the hub has not carried are null and not shown; fields newer
 * than this view (a raw status, complexity, createdAt) are read defensively.
 */
import { ownEntry, type ChannelState, type TaskPriority, type TaskState, type TaskStatus } from "../../../../protocol/index.ts";
import { agentsOnItem, type TaskAgentView } from "./task-agents.ts";
import { blockedBy, dependencyViews, findWorkItem, type BlockedItemView, type DependencyView, type WorkItem } from "./work-items.ts";

export interface ComplexityView {
  readonly score: number;
  readonly recommendedSubtasks: number | null;
  readonly reasoning: string | null;
}

export interface SubtaskDetail {
  readonly id: string;
  readonly title: string;
  readonly status: TaskStatus;
  readonly rawStatus: string | null;
  readonly description: string | null;
  readonly details: string | null;
  readonly dependencies: readonly DependencyView[];
}

export interface TaskDetail {
  readonly tag: string;
  readonly id: string;
  readonly kind: "task" | "subtask";
  /** For a subtask, its task. */
  readonly parent: { readonly id: string; readonly title: string } | null;
  readonly title: string;
  readonly status: TaskStatus;
  /** The status as Task Master wrote it, when the hub carries one it does not know. */
  readonly rawStatus: string | null;
  readonly priority: TaskPriority | null;
  readonly description: string | null;
  readonly details: string | null;
  readonly testStrategy: string | null;
  readonly progress: { readonly percent: number; readonly message: string | null; readonly atIso: string } | null;
  readonly subtasks: readonly SubtaskDetail[];
  readonly dependsOn: readonly DependencyView[];
  readonly blocks: readonly BlockedItemView[];
  readonly complexity: ComplexityView | null;
  readonly agents: readonly TaskAgentView[];
  readonly createdAtIso: string | null;
  readonly updatedAtIso: string | null;
}

/** The detail of `id` (a task, or a subtask such as "2.1") in `tag`, or null when the tag has no such item. */
export function taskDetail(state: ChannelState, tag: string, id: string): TaskDetail | null {
  const tasks = ownEntry(state.tasks, tag);
  const found = findWorkItem(tasks, id);
  if (!found) return null;
  const { item, parent } = found;
  const task = parent === null ? (item as TaskState) : null;
  return {
    tag,
    id: item.id,
    kind: parent === null ? "task" : "subtask",
    parent: parent === null ? null : { id: parent.id, title: parent.title ?? `Task ${parent.id}` },
    title: item.title ?? (parent === null ? `Task ${item.id}` : `Subtask ${item.id}`),
    status: item.status,
    rawStatus: rawStatusOf(item),
    priority: item.priority ?? null,
    description: item.description ?? null,
    details: item.details ?? null,
    testStrategy: item.testStrategy ?? null,
    progress: task?.progress ? { percent: task.progress.percent, message: task.progress.message ?? null, atIso: task.progress.at } : null,
    subtasks: (task?.subtasks ?? []).map((sub) => ({
      id: sub.id,
      title: sub.title ?? `Subtask ${sub.id}`,
      status: sub.status,
      rawStatus: rawStatusOf(sub),
      description: sub.description ?? null,
      details: sub.details ?? null,
      dependencies: dependencyViews(tasks, sub, task),
    })),
    dependsOn: dependencyViews(tasks, item, parent),
    blocks: blockedBy(tasks, item.id),
    complexity: complexityOf(item),
    agents: agentsOnItem(state, tag, item.id),
    createdAtIso: stringField(item, "createdAt"),
    updatedAtIso: stringField(item, "updatedAt"),
  };
}

/** Task Master's complexity report entry, when the hub carries one as `complexity: { score, recommendedSubtasks?, reasoning? }`. */
export function complexityOf(item: WorkItem): ComplexityView | null {
  const value: unknown = (item as { complexity?: unknown }).complexity;
  if (typeof value !== "object" || value === null) return null;
  const { score, recommendedSubtasks, reasoning } = value as Record<string, unknown>;
  if (typeof score !== "number" || !Number.isFinite(score)) return null;
  return {
    score,
    recommendedSubtasks: typeof recommendedSubtasks === "number" && Number.isFinite(recommendedSubtasks) ? recommendedSubtasks : null,
    reasoning: typeof reasoning === "string" && reasoning !== "" ? reasoning : null,
  };
}

/** A status the hub keeps verbatim because it does not know it (`rawStatus`), when it differs from the shown one. */
function rawStatusOf(item: WorkItem): string | null {
  const raw = stringField(item, "rawStatus");
  return raw !== null && raw !== item.status ? raw : null;
}

function stringField(item: WorkItem, name: string): string | null {
  const value: unknown = (item as unknown as Record<string, unknown>)[name];
  return typeof value === "string" && value !== "" ? value : null;
}
