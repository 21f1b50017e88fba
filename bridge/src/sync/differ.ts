/**
 * What changed between the project the hub last got and the project now. Pure.
 * Compares normalised views, so cosmetic rewrites produce no changes.
 */
import type { ProjectTag } from "../../../protocol/index.ts";
import type { NormalTask, TaskTree } from "../taskmaster/normalise.ts";
import { stableJson } from "./stable-json.ts";

export interface ProjectView {
  readonly name: string;
  readonly currentTag: string;
  readonly tasks: TaskTree;
  /** Every tag in the file, empty ones too, with its description. */
  readonly tags: readonly ProjectTag[];
}

export interface TagTaskIds {
  readonly tag: string;
  readonly taskIds: readonly string[];
}

export type ProjectChange =
  | { readonly kind: "task.removed"; readonly tag: string; readonly taskId: string }
  | { readonly kind: "task.upsert"; readonly tag: string; readonly task: NormalTask }
  | { readonly kind: "task.progress"; readonly tag: string; readonly taskId: string; readonly percent: number; readonly message: string }
  | { readonly kind: "project.sync"; readonly tags: readonly TagTaskIds[] }
  | { readonly kind: "project.meta"; readonly name?: string; readonly currentTag?: string; readonly tags?: readonly ProjectTag[] };

export interface SubtaskProgress {
  readonly done: number;
  readonly total: number;
  readonly percent: number;
}

/** Progress of a task from its subtasks; null when it has none. */
export function subtaskProgress(task: NormalTask): SubtaskProgress | null {
  const total = task.subtasks.length;
  if (total === 0) return null;
  const done = task.subtasks.filter((s) => s.status === "done").length;
  return { done, total, percent: Math.round((done * 100) / total) };
}

const sameTask = (a: NormalTask, b: NormalTask) => stableJson(a) === stableJson(b);

export interface DiffOptions {
  /**
   * Also say which tasks the project holds (`project.sync`), so the hub
   * removes whatever else it has: the first sync after a start, when the
   * hub may hold an older copy of the project than the baseline knows.
   */
  readonly reconcile?: boolean;
}

/** Every tag of the project with the ids of its tasks. */
export function projectTaskIds(view: ProjectView): TagTaskIds[] {
  return view.tags.map((t) => ({ tag: t.name, taskIds: Object.keys(view.tasks[t.name] ?? {}) }));
}

/**
 * Removals first, then upserts (each followed by its progress when that
 * changed), then the reconciling sync (it only removes what is not upserted),
 * then project meta, so a viewer never sees a current tag whose tasks have
 * not arrived yet, nor an emptied project. `prev` null means nothing was sent yet: all of `next` is new.
 */
export function diffProjects(prev: ProjectView | null, next: ProjectView, options: DiffOptions = {}): ProjectChange[] {
  const changes: ProjectChange[] = [];
  const before = prev?.tasks ?? {};

  for (const [tag, tasks] of Object.entries(before)) {
    for (const id of Object.keys(tasks)) {
      if (!next.tasks[tag]?.[id]) changes.push({ kind: "task.removed", tag, taskId: id });
    }
  }

  for (const [tag, tasks] of Object.entries(next.tasks)) {
    for (const [id, task] of Object.entries(tasks)) {
      const old = before[tag]?.[id];
      if (old && sameTask(old, task)) continue;
      changes.push({ kind: "task.upsert", tag, task });
      const progress = subtaskProgress(task);
      const oldProgress = old ? subtaskProgress(old) : null;
      if (progress && progress.percent !== oldProgress?.percent) {
        changes.push({ kind: "task.progress", tag, taskId: id, percent: progress.percent, message: `${progress.done}/${progress.total} subtasks done` });
      }
    }
  }

  if (options.reconcile) changes.push({ kind: "project.sync", tags: projectTaskIds(next) });

  const nameChanged = prev?.name !== next.name;
  const tagChanged = prev?.currentTag !== next.currentTag;
  // A baseline from an older bridge has no tags: they are sent once.
  const tagsChanged = prev?.tags === undefined || stableJson(prev.tags) !== stableJson(next.tags);
  if (nameChanged || tagChanged || tagsChanged) {
    changes.push({
      kind: "project.meta",
      ...(nameChanged ? { name: next.name } : {}),
      ...(tagChanged ? { currentTag: next.currentTag } : {}),
      ...(tagsChanged ? { tags: next.tags } : {}),
    });
  }
  return changes;
}
