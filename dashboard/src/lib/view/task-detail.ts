/**
 * What `task-master show` tells about one task or subtask, from the live
 * state. Fields the hub has not carried are null and not shown.
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
  /** Task Master's own times of the item, when its file has them. */
  readonly createdAtIso: string | null;
  readonly modifiedAtIso: string | null;
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
    createdAtIso: item.createdAt ?? null,
    modifiedAtIso: item.modifiedAt ?? null,
  };
}

/** Task Master's complexity report entry for a task (subtasks have none). */
export function complexityOf(item: WorkItem): ComplexityView | null {
  if (!("complexity" in item) || !item.complexity) return null;
  const { score, recommendedSubtasks, reasoning } = item.complexity;
  return { score, recommendedSubtasks: recommendedSubtasks ?? null, reasoning: reasoning || null };
}

/** A custom status Task Master has and the hub does not know (`statusRaw`), when it differs from the shown one. */
function rawStatusOf(item: WorkItem): string | null {
  return item.statusRaw !== undefined && item.statusRaw !== item.status ? item.statusRaw : null;
}
