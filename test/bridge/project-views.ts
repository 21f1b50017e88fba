/**
 * What a dashboard must show for a Task Master project, read two ways: from
 * the Task Master files directly (not through the bridge's normaliser) and
 * from the hub's snapshot. The tests compare the two.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ChannelState } from "../../protocol/index.ts";

export interface ShownSubtask {
  id: string;
  title: string | undefined;
  status: string;
}

export interface ShownTask {
  title: string | undefined;
  status: string;
  dependencies: string[];
  subtasks: ShownSubtask[];
}

export interface ShownProject {
  currentTag: string | undefined;
  tasks: Record<string, Record<string, ShownTask>>;
}

interface RawTask {
  id: number | string;
  title: string;
  status: string;
  dependencies?: (number | string)[];
  subtasks?: { id: number | string; title: string; status: string }[];
}

export function readTasksFile(project: string): Record<string, { tasks: RawTask[]; metadata?: unknown }> {
  return JSON.parse(readFileSync(join(project, ".taskmaster/tasks/tasks.json"), "utf8"));
}

export function fromFiles(project: string): ShownProject {
  const raw = readTasksFile(project);
  const state = JSON.parse(readFileSync(join(project, ".taskmaster/state.json"), "utf8")) as { currentTag?: string };
  const tasks: ShownProject["tasks"] = {};
  for (const [tag, body] of Object.entries(raw)) {
    for (const t of body.tasks) {
      (tasks[tag] ??= {})[String(t.id)] = {
        title: t.title,
        status: t.status,
        dependencies: (t.dependencies ?? []).map(String),
        subtasks: (t.subtasks ?? []).map((s) => ({ id: String(s.id).includes(".") ? String(s.id) : `${t.id}.${s.id}`, title: s.title, status: s.status })),
      };
    }
  }
  return { currentTag: state.currentTag ?? "master", tasks };
}

export function fromHub(state: ChannelState): ShownProject {
  const tasks: ShownProject["tasks"] = {};
  for (const [tag, byId] of Object.entries(state.tasks)) {
    for (const [id, t] of Object.entries(byId)) {
      (tasks[tag] ??= {})[id] = { title: t.title, status: t.status, dependencies: t.dependencies, subtasks: t.subtasks.map((s) => ({ id: s.id, title: s.title, status: s.status })) };
    }
  }
  return { currentTag: state.meta.currentTag, tasks };
}

/** Pending tasks of the current tag whose dependencies are all done or cancelled, counted from the file. */
export function readyCountFromFiles(project: string): number {
  const shown = fromFiles(project);
  const tasks = shown.tasks[shown.currentTag ?? "master"] ?? {};
  return Object.values(tasks).filter((t) => t.status === "pending" && t.dependencies.every((d) => ["done", "cancelled"].includes(tasks[d]?.status ?? ""))).length;
}
