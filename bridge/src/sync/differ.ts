/**
 * What changed between the project the hub last got and the project now. Pure.
 * Compares normalised views, so cosmetic rewrites produce no changes.
 */
import type { NormalTask, TaskTree } from "../taskmaster/normalise.ts";
import { stableJson } from "./stable-json.ts";

export interface ProjectView {
  readonly name: string;
  readonly currentTag: string;
  readonly tasks: TaskTree;
}

export type ProjectChange =
  | { readonly kind: "task.removed"; readonly tag: string; readonly taskId: string }
  | { readonly kind: "task.upsert"; readonly tag: string; readonly task: NormalTask }
  | { readonly kind: "task.progress"; readonly tag: string; readonly taskId: string; readonly percent: number; readonly message: string }
  | { readonly kind: "project.meta"; readonly name?: string; readonly currentTag?: string };

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

/**
 * Removals first, then upserts (each followed by its progress when that
 * changed), then project meta, so a viewer never sees a current tag whose
 * tasks have not arrived yet. `prev` null means nothing was sent yet: all of `next` is new.
 */
export function diffProjects(prev: ProjectView | null, next: ProjectView): ProjectChange[] {
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

  const nameChanged = prev?.name !== next.name;
  const tagChanged = prev?.currentTag !== next.currentTag;
  if (nameChanged || tagChanged) {
    changes.push({ kind: "project.meta", ...(nameChanged ? { name: next.name } : {}), ...(tagChanged ? { currentTag: next.currentTag } : {}) });
  }
  return changes;
}
