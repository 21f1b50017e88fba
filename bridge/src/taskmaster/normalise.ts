/**
 * Task Master's files → the bridge's view of a project. Pure.
 *
 * What the hub shows survives, read as Task Master reads it: ids become
 * strings (subtasks "parent.sub"), a bare dependency number inside a
 * subtask is its sibling, `completed` is done, a custom status is kept raw.
 * Task Master's own bookkeeping (`parentTaskId`, `parentId`, tag metadata
 * other than the description) is dropped, so a rewrite that only flips id
 * types normalises to the same view and sends nothing.
 */
import * as v from "valibot";
import {
  DEFAULT_TAG,
  readTaskStatus,
  subtaskDependencyIdOf,
  subtaskIdOf,
  TASK_PRIORITIES,
  TaskInputSchema,
  TaskUpsertData,
  type ProjectTag,
  type TaskComplexity,
  type TaskPriority,
  type TaskStatus,
} from "../../../protocol/index.ts";

export interface NormalSubtask {
  readonly id: string;
  readonly title?: string;
  readonly description?: string;
  readonly details?: string;
  readonly testStrategy?: string;
  /** Task Master reads a missing status as pending. */
  readonly status: TaskStatus;
  /** A status Task Master holds that the hub does not know (then `status` is the fallback). */
  readonly statusRaw?: string;
  readonly priority?: TaskPriority;
  readonly dependencies: readonly string[];
  readonly createdAt?: string;
  readonly modifiedAt?: string;
}

export interface NormalTask extends Omit<NormalSubtask, "title"> {
  readonly title: string;
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** Joined from the tag's complexity report (see complexity-reports.ts). */
  readonly complexity?: TaskComplexity;
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
const MAX_TAG_DESCRIPTION_CHARS = 2000;

const isTaskId = (s: string) => v.is(TaskInputSchema.entries.id, s);
const isTag = (s: string) => v.is(TaskUpsertData.entries.tag, s);
const isPriority = (s: unknown): s is TaskPriority => (TASK_PRIORITIES as readonly unknown[]).includes(s);
const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);
const isDateTime = (s: unknown): s is string => typeof s === "string" && v.is(TaskInputSchema.entries.createdAt, s);
const isMetadata = (m: unknown): m is Record<string, unknown> => isRecord(m) && v.is(TaskInputSchema.entries.metadata, m);

function idString(raw: unknown): string | null {
  if (typeof raw === "number" && Number.isInteger(raw) && raw >= 0) return String(raw);
  if (typeof raw === "string" && raw.trim() !== "") return raw.trim();
  return null;
}

function text(raw: unknown, max: number): string | undefined {
  if (typeof raw !== "string") return undefined;
  return raw.length > max ? raw.slice(0, max) : raw;
}

const present = <K extends string, T>(name: K, value: T | undefined): { [P in K]?: T } => (value === undefined ? {} : ({ [name]: value } as { [P in K]: T }));

function dependencies(raw: unknown, resolve: (id: string) => string, where: string, issues: NormaliseIssue[]): string[] {
  if (!Array.isArray(raw)) return [];
  const out: string[] = [];
  for (const dep of raw) {
    const id = idString(dep);
    if (id !== null && isTaskId(resolve(id))) out.push(resolve(id));
    else issues.push({ where, message: `dependency ${JSON.stringify(dep)} is not a valid task id; left out` });
  }
  return out;
}

/** The full id of a subtask as Task Master stores it (2 of task 5 is "5.2"); null when the raw id is not one. */
export function subtaskId(parentId: string, raw: unknown): string | null {
  const id = idString(raw);
  return id === null ? null : subtaskIdOf(parentId, id);
}

/** The fields a task and a subtask share, read from Task Master's item. */
function workItem(raw: Record<string, unknown>, where: string, resolveDependency: (id: string) => string, issues: NormaliseIssue[]) {
  // Task Master reads a missing or empty status as pending.
  const status = typeof raw.status === "string" && raw.status !== "" ? readTaskStatus(raw.status) : { status: "pending" as const };
  if (raw.status !== undefined && typeof raw.status !== "string") issues.push({ where, message: `status ${JSON.stringify(raw.status)} is not text; read as pending` });
  if (raw.priority !== undefined && !isPriority(raw.priority)) issues.push({ where, message: `priority ${JSON.stringify(raw.priority)} is unknown; left out` });
  return {
    ...present("description", text(raw.description, MAX_TEXT_CHARS)),
    ...present("details", text(raw.details, MAX_TEXT_CHARS)),
    ...present("testStrategy", text(raw.testStrategy, MAX_TEXT_CHARS)),
    status: status.status,
    ...present("statusRaw", status.statusRaw?.slice(0, 64)),
    ...present("priority", isPriority(raw.priority) ? raw.priority : undefined),
    dependencies: dependencies(raw.dependencies, resolveDependency, where, issues),
    ...present("createdAt", isDateTime(raw.createdAt) ? raw.createdAt : undefined),
    ...present("modifiedAt", isDateTime(raw.updatedAt) ? raw.updatedAt : undefined),
  };
}

function normaliseSubtask(parentId: string, raw: unknown, issues: NormaliseIssue[]): NormalSubtask | null {
  if (!isRecord(raw)) {
    issues.push({ where: `task ${parentId}`, message: "a subtask is not an object; left out" });
    return null;
  }
  const id = subtaskId(parentId, raw.id);
  if (id === null || !isTaskId(id)) {
    issues.push({ where: `task ${parentId}`, message: `subtask id ${JSON.stringify(raw.id)} is not a valid id; left out` });
    return null;
  }
  return { id, ...present("title", text(raw.title, MAX_TITLE_CHARS)), ...workItem(raw, `subtask ${id}`, (dep) => subtaskDependencyIdOf(parentId, dep), issues) };
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
  if (raw.metadata !== undefined && !isMetadata(raw.metadata)) issues.push({ where, message: "metadata is over the hub's limits; left out" });
  const subtasks = Array.isArray(raw.subtasks) ? raw.subtasks.map((s) => normaliseSubtask(id, s, issues)).filter((s): s is NormalSubtask => s !== null) : [];
  return {
    id,
    title: text(raw.title, MAX_TITLE_CHARS) ?? "",
    ...workItem(raw, where, (dep) => dep, issues),
    ...present("metadata", isMetadata(raw.metadata) ? raw.metadata : undefined),
    subtasks,
  };
}

function normaliseTag(tag: string, tasks: readonly unknown[], issues: NormaliseIssue[]): Record<string, NormalTask> {
  const out: Record<string, NormalTask> = {};
  for (const raw of tasks) {
    const task = normaliseTask(tag, raw, issues);
    if (!task) continue;
    if (Object.hasOwn(out, task.id)) issues.push({ where: `task ${tag}/${task.id}`, message: "the id appears twice in the tag; the first is kept" });
    else out[task.id] = task;
  }
  return out;
}

/**
 * Parsed tasks.json → tasks by tag, and every tag (empty ones too) with its
 * description. Reads the tagged format (`{ "<tag>": { "tasks": [...],
 * "metadata": { "description" } } }`) and the legacy one (`{ "tasks": [...] }`,
 * which is tag "master").
 */
export function normaliseTasksFile(raw: unknown): { tasks: TaskTree; tags: ProjectTag[]; issues: NormaliseIssue[] } {
  const issues: NormaliseIssue[] = [];
  const tasks: Record<string, Record<string, NormalTask>> = {};
  const tags: ProjectTag[] = [];
  if (!isRecord(raw)) return { tasks, tags, issues: [{ where: "tasks.json", message: "is not a JSON object" }] };
  const tagged: [string, unknown][] = Array.isArray(raw.tasks) ? [[DEFAULT_TAG, raw]] : Object.entries(raw);
  for (const [tag, body] of tagged) {
    if (!isRecord(body) || !Array.isArray(body.tasks)) continue;
    if (!isTag(tag)) {
      issues.push({ where: `tag ${JSON.stringify(tag)}`, message: "the tag name is not valid on the hub (1-64 of A-Z a-z 0-9 . _ -); its tasks are left out" });
      continue;
    }
    const description = isRecord(body.metadata) ? text(body.metadata.description, MAX_TAG_DESCRIPTION_CHARS) : undefined;
    tags.push({ name: tag, ...present("description", description) });
    const byId = normaliseTag(tag, body.tasks, issues);
    if (Object.keys(byId).length > 0) tasks[tag] = byId;
  }
  return { tasks, tags, issues };
}

/** Parsed state.json → the current tag ("master" when absent or unusable). */
export function currentTagOf(raw: unknown): string {
  if (isRecord(raw) && typeof raw.currentTag === "string" && isTag(raw.currentTag)) return raw.currentTag;
  return DEFAULT_TAG;
}
