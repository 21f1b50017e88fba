/** Every tag of the project with its counts, as `task-master tags` and `list` summarise them. */
import { TASK_STATUSES, type ChannelState, type TaskStatus } from "../../../../protocol/index.ts";
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
    const tasks = Object.values(Object.hasOwn(state.tasks, tag) ? state.tasks[tag]! : {});
    const counts = TASK_STATUSES.map((status) => ({ status, count: tasks.filter((t) => t.status === status).length })).filter((c) => c.count > 0);
    return { tag, total: tasks.length, counts, percentDone: tagCompletion(tasks), current: tag === current };
  });
}
