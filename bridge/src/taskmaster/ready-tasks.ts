/** Queue depth: how many tasks an agent could pick up right now. Pure. */
import type { NormalTask } from "./normalise.ts";

const SETTLED = new Set(["done", "cancelled"]);

/** Pending tasks whose dependencies (tasks or subtasks of the same tag) are all done or cancelled. */
export function countReadyTasks(tasks: Readonly<Record<string, NormalTask>> | undefined): number {
  if (!tasks) return 0;
  const statusOf = new Map<string, string | undefined>();
  for (const task of Object.values(tasks)) {
    statusOf.set(task.id, task.status);
    for (const sub of task.subtasks) statusOf.set(sub.id, sub.status ?? "pending");
  }
  let ready = 0;
  for (const task of Object.values(tasks)) {
    if ((task.status ?? "pending") !== "pending") continue;
    // A dependency on a task that no longer exists cannot be finished: the task is not ready.
    if (task.dependencies.every((dep) => SETTLED.has(statusOf.get(dep) ?? ""))) ready++;
  }
  return ready;
}
