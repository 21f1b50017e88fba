/** Every tag of the project with its counts, as `task-master tags` and `list` summarise them. */
import { TASK_STATUSES, type ChannelState, type TaskState, type TaskStatus } from "../../../../protocol/index.ts";
import { tagCompletion, tagNames } from "./tasks-view.ts";

export interface TagSummary {
  readonly tag: string;
  readonly total: number;
  /** Only the statuses that occur, in TASK_STATUSES order. */
  readonly counts: readonly { readonly status: TaskStatus; readonly count: number }[];
  /** Done tasks over all tasks, 0-100 (`task-master list`). */
  readonly percentDone: number;
  readonly current: boolean;
}

/** The project's tags (master first), plus the current tag even when it holds no task (the hub drops empty tags). */
export function tagOverview(state: ChannelState): TagSummary[] {
  const names = tagNames(state);
  const current = state.meta.currentTag;
  if (current !== undefined && !names.includes(current)) names.push(current);
  return names.map((tag) => {
    const tasks = Object.hasOwn(state.tasks, tag) ? state.tasks[tag]! : NO_TASKS;
    return { tag, ...countsOf(tasks), current: tag === current };
  });
}

const NO_TASKS: Record<string, TaskState> = {};

/** Counted once per tag record: the connection layer copies a tag's record only when one of its tasks changes. */
const countsByTagRecord = new WeakMap<Record<string, TaskState>, Omit<TagSummary, "tag" | "current">>();

function countsOf(record: Record<string, TaskState>): Omit<TagSummary, "tag" | "current"> {
  let summary = countsByTagRecord.get(record);
  if (!summary) {
    const tasks = Object.values(record);
    const byStatus = new Map<TaskStatus, number>();
    for (const task of tasks) byStatus.set(task.status, (byStatus.get(task.status) ?? 0) + 1);
    const counts = TASK_STATUSES.filter((status) => byStatus.has(status)).map((status) => ({ status, count: byStatus.get(status)! }));
    summary = { total: tasks.length, counts, percentDone: tagCompletion(tasks) };
    countsByTagRecord.set(record, summary);
  }
  return summary;
}
