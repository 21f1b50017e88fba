/**
 * Tasks and subtasks of one tag, resolved the way Task Master reads them:
 * a subtask's bare-number dependency means its sibling ("1" inside task 2 is
 * "2.1"), a dotted id is kept, and only `done` (or the legacy `completed`)
 * satisfies a dependency; `cancelled` does not.
 */
import { ownEntry, subtaskDependencyIdOf, type SubtaskState, type TaskState, type TaskStatus } from "../../../../protocol/index.ts";

export type WorkItem = TaskState | SubtaskState;

export interface FoundItem {
  readonly item: WorkItem;
  /** The task a subtask belongs to; null for a task. */
  readonly parent: TaskState | null;
}

export interface DependencyView {
  /** The resolved id ("2.1" for a subtask's bare "1"). */
  readonly id: string;
  readonly title: string | null;
  /** Null when the tag holds no such task or subtask. */
  readonly status: TaskStatus | null;
  /** Task Master's rule: satisfied only by done. */
  readonly satisfied: boolean;
}

export interface BlockedItemView {
  readonly id: string;
  readonly title: string;
  readonly status: TaskStatus;
}

/** The statuses that satisfy a dependency. `completed` is Task Master's legacy word for done. */
export function satisfiesDependency(status: string | null | undefined): boolean {
  return status === "done" || status === "completed";
}

/** A task by id, else the subtask with that id. */
export function findWorkItem(tasks: Readonly<Record<string, TaskState>> | undefined, id: string): FoundItem | null {
  if (!tasks) return null;
  const task = ownEntry(tasks, id);
  if (task) return { item: task, parent: null };
  for (const parent of Object.values(tasks)) {
    const sub = parent.subtasks.find((s) => s.id === id);
    if (sub) return { item: sub, parent };
  }
  return null;
}

/** A dependency as Task Master reads it: inside a subtask a bare id names a sibling. */
export function resolveDependencyId(dependency: string, parent: TaskState | null): string {
  return parent === null ? dependency : subtaskDependencyIdOf(parent.id, dependency);
}

export function dependencyViews(tasks: Readonly<Record<string, TaskState>> | undefined, item: WorkItem, parent: TaskState | null): DependencyView[] {
  return item.dependencies.map((raw) => {
    const id = resolveDependencyId(raw, parent);
    const found = findWorkItem(tasks, id)?.item;
    return { id, title: found?.title ?? null, status: found?.status ?? null, satisfied: satisfiesDependency(found?.status) };
  });
}

/** Every task and subtask of the tag that depends on `id` (Task Master's "blocks"), in id order. */
export function blockedBy(tasks: Readonly<Record<string, TaskState>> | undefined, id: string): BlockedItemView[] {
  if (!tasks) return [];
  const out: BlockedItemView[] = [];
  const consider = (item: WorkItem, parent: TaskState | null) => {
    if (item.id !== id && item.dependencies.some((d) => resolveDependencyId(d, parent) === id)) {
      out.push({ id: item.id, title: item.title ?? item.id, status: item.status });
    }
  };
  for (const task of Object.values(tasks)) {
    consider(task, null);
    for (const sub of task.subtasks) consider(sub, task);
  }
  return out.sort((a, b) => a.id.localeCompare(b.id, undefined, { numeric: true }));
}

