/**
 * Task Master's files → the bridge's view of a project. Pure.
 *
 * Only what the hub shows survives: ids become strings (subtasks
 * "parent.sub"), unknown fields (`updatedAt`, `parentId`, tag metadata, …)
 * are dropped, so a rewrite that only flips id types or touches metadata
 * normalises to the same view and sends nothing.
 */
import * as v from "valibot";
import { DEFAULT_TAG, subtaskIdOf, TASK_PRIORITIES, TASK_STATUSES, TaskInputSchema, TaskUpsertData, type TaskPriority, type TaskStatus } from "../../../protocol/index.ts";

export interface NormalSubtask {
  readonly id: string;
  readonly title?: string;
  readonly description?: string;
  readonly details?: string;
  readonly testStrategy?: string;
  readonly status?: TaskStatus;
  readonly priority?: TaskPriority;
  readonly dependencies: readonly string[];
}

export interface NormalTask {
  readonly id: string;
  /** Text fields are always present ("" when Task Master has none), so a cleared field is sent as "". */
  readonly title: string;
  readonly description: string;
  readonly details: string;
  readonly testStrategy: string;
  /** Absent when Task Master holds a status the hub does not know. */
  readonly status?: TaskStatus;
  readonly priority?: TaskPriority;
  readonly dependencies: readonly string[];
  readonly subtasks: readonly NormalSubtask[];
}

/** By tag, then task id. A tag with no tasks is absent, as on the hub. */
export type TaskTree = Readonly<Record<string, Readonly<Record<string, NormalTask>>>>;

export interface NormaliseIssue {
  readonly where: string;
  readonly message: string;
}

const MAX_TITLE_CHARS = 2000;
const MAX_TEXT_CHARS = 200_000;

const isTaskId = (s: string) => v.is(TaskInputSchema.entries.id, s);
const isTag = (s: string) => v.is(TaskUpsertData.entries.tag, s);
const isStatus = (s: unknown): s is TaskStatus => (TASK_STATUSES as readonly unknown[]).includes(s);
const isPriority = (s: unknown): s is TaskPriority => (TASK_PRIORITIES as readonly unknown[]).includes(s);
const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);

function idString(raw: unknown): string | null {
  if (typeof raw === "number" && Number.isInteger(raw) && raw >= 0) return String(raw);
  if (typeof raw === "string" && raw.trim() !== "") return raw.trim();
  return null;
}

function text(raw: unknown, max: number): string | undefined {
  if (typeof raw !== "string") return undefined;
  return raw.length > max ? raw.slice(0, max) : raw;
}

function dependencies(raw: unknown, where: string, issues: NormaliseIssue[]): string[] {
  if (!Array.isArray(raw)) return [];
  const out: string[] = [];
  for (const dep of raw) {
    const id = idString(dep);
    if (id !== null && isTaskId(id)) out.push(id);
    else issues.push({ where, message: `dependency ${JSON.stringify(dep)} is not a valid task id; left out` });
  }
  return out;
}

/** The full id of a subtask as Task Master stores it (2 of task 5 is "5.2"); null when the raw id is not one. */
export function subtaskId(parentId: string, raw: unknown): string | null {
  const id = idString(raw);
  return id === null ? null : subtaskIdOf(parentId, id);
}

function normaliseSubtask(parentId: string, raw: unknown, issues: NormaliseIssue[]): NormalSubtask | null {
  const where = `task ${parentId}`;
  if (!isRecord(raw)) {
    issues.push({ where, message: "a subtask is not an object; left out" });
    return null;
  }
  const id = subtaskId(parentId, raw.id);
  if (id === null || !isTaskId(id)) {
    issues.push({ where, message: `subtask id ${JSON.stringify(raw.id)} is not a valid id; left out` });
    return null;
  }
  const title = text(raw.title, MAX_TITLE_CHARS);
  const description = text(raw.description, MAX_TEXT_CHARS);
  const details = text(raw.details, MAX_TEXT_CHARS);
  const testStrategy = text(raw.testStrategy, MAX_TEXT_CHARS);
  if (raw.status !== undefined && !isStatus(raw.status)) issues.push({ where: `subtask ${id}`, message: `status ${JSON.stringify(raw.status)} is unknown; left out` });
  return {
    id,
    ...(title !== undefined ? { title } : {}),
    ...(description !== undefined ? { description } : {}),
    ...(details !== undefined ? { details } : {}),
    ...(testStrategy !== undefined ? { testStrategy } : {}),
    ...(isStatus(raw.status) ? { status: raw.status } : {}),
    ...(isPriority(raw.priority) ? { priority: raw.priority } : {}),
    dependencies: dependencies(raw.dependencies, `subtask ${id}`, issues),
  };
}

function normaliseTask(tag: string, raw: unknown, issues: NormaliseIssue[]): NormalTask | null {
  if (!isRecord(raw)) {
    issues.push({ where: `tag ${tag}`, message: "a task is not an object; left out" });
    return null;
  }
  const id = idString(raw.id);
  if (id === null || !isTaskId(id)) {
    issues.push({ where: `tag ${tag}`, message: `task id ${JSON.stringify(raw.id)} is not a valid id; left out` });
    return null;
  }
  const where = `task ${tag}/${id}`;
  if (raw.status !== undefined && !isStatus(raw.status)) issues.push({ where, message: `status ${JSON.stringify(raw.status)} is unknown; left out` });
  const subtasks = Array.isArray(raw.subtasks) ? raw.subtasks.map((s) => normaliseSubtask(id, s, issues)).filter((s): s is NormalSubtask => s !== null) : [];
  return {
    id,
    title: text(raw.title, MAX_TITLE_CHARS) ?? "",
    description: text(raw.description, MAX_TEXT_CHARS) ?? "",
    details: text(raw.details, MAX_TEXT_CHARS) ?? "",
    testStrategy: text(raw.testStrategy, MAX_TEXT_CHARS) ?? "",
    ...(isStatus(raw.status) ? { status: raw.status } : {}),
    ...(isPriority(raw.priority) ? { priority: raw.priority } : {}),
    dependencies: dependencies(raw.dependencies, where, issues),
    subtasks,
  };
}

function normaliseTag(tag: string, tasks: readonly unknown[], issues: NormaliseIssue[]): Record<string, NormalTask> {
  const out: Record<string, NormalTask> = {};
  for (const raw of tasks) {
    const task = normaliseTask(tag, raw, issues);
    if (!task) continue;
    if (out[task.id]) issues.push({ where: `task ${tag}/${task.id}`, message: "the id appears twice in the tag; the first is kept" });
    else out[task.id] = task;
  }
  return out;
}

/**
 * Parsed tasks.json → tasks by tag. Reads the tagged format
 * (`{ "<tag>": { "tasks": [...], "metadata": {...} } }`) and the legacy one
 * (`{ "tasks": [...] }`, which is tag "master").
 */
export function normaliseTasksFile(raw: unknown): { tasks: TaskTree; issues: NormaliseIssue[] } {
  const issues: NormaliseIssue[] = [];
  const tasks: Record<string, Record<string, NormalTask>> = {};
  if (!isRecord(raw)) return { tasks, issues: [{ where: "tasks.json", message: "is not a JSON object" }] };
  const tagged: [string, unknown][] = Array.isArray(raw.tasks) ? [[DEFAULT_TAG, raw]] : Object.entries(raw);
  for (const [tag, body] of tagged) {
    if (!isRecord(body) || !Array.isArray(body.tasks)) continue;
    if (!isTag(tag)) {
      issues.push({ where: `tag ${JSON.stringify(tag)}`, message: "the tag name is not valid on the hub (1-64 of A-Z a-z 0-9 . _ -); its tasks are left out" });
      continue;
    }
    const byId = normaliseTag(tag, body.tasks, issues);
    if (Object.keys(byId).length > 0) tasks[tag] = byId;
  }
  return { tasks, issues };
}

/** Parsed state.json → the current tag ("master" when absent or unusable). */
export function currentTagOf(raw: unknown): string {
  if (isRecord(raw) && typeof raw.currentTag === "string" && isTag(raw.currentTag)) return raw.currentTag;
  return DEFAULT_TAG;
}
