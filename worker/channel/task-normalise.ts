/**
 * A `task.upsert`'s task → what it sets and what it clears. Task Master ids
 * arrive as numbers or strings; the hub stores strings ("5", subtasks "5.2").
 */
import {
  CLEARABLE_TASK_FIELDS,
  readTaskStatus,
  subtaskDependencyIdOf,
  subtaskIdOf,
  type ClearableTaskField,
  type SubtaskState,
  type TaskInput,
  type TaskState,
  type WorkItemFields,
} from "../../protocol/index.ts";

type WorkItemInput = Omit<TaskInput, "subtasks" | "complexity">;

export function normaliseId(id: string | number): string {
  return String(id);
}

const COPIED_AS_IS = ["title", "description", "details", "testStrategy", "priority", "agentId", "metadata", "createdAt", "modifiedAt"] as const;

/** The fields the input sets (null and absent fields are left out), normalised. */
function workItemFields(input: WorkItemInput, dependencyId: (dep: string | number) => string): Partial<WorkItemFields> {
  const out: Partial<WorkItemFields> = {};
  for (const name of COPIED_AS_IS) {
    const value = input[name];
    if (value !== undefined && value !== null) (out as Record<string, unknown>)[name] = value;
  }
  if (input.status !== undefined) out.status = input.status;
  if (typeof input.statusRaw === "string") {
    const read = readTaskStatus(input.statusRaw);
    // An explicit status wins; a raw one that names a known status ("completed") is just that status.
    out.status = input.status ?? read.status;
    if (read.statusRaw !== undefined) out.statusRaw = read.statusRaw;
  }
  if (input.dependencies !== undefined) out.dependencies = input.dependencies.map(dependencyId);
  return out;
}

function normaliseSubtask(parentId: string, input: WorkItemInput): SubtaskState {
  // A subtask is always sent whole, so absent status and dependencies get their defaults.
  const fields = workItemFields(input, (dep) => subtaskDependencyIdOf(parentId, dep));
  return { status: "pending", dependencies: [], ...fields, id: subtaskIdOf(parentId, input.id) };
}

export interface TaskUpsertFields {
  /** The fields the upsert sets; absent fields merge (stay as they are). */
  readonly set: Partial<TaskState>;
  /** The fields it clears: given as null, or `statusRaw` when a known status replaces a raw one. */
  readonly unset: readonly ClearableTaskField[];
}

export function taskFields(input: TaskInput): TaskUpsertFields {
  const set: Partial<TaskState> = workItemFields(input, normaliseId);
  if (input.complexity !== undefined && input.complexity !== null) set.complexity = input.complexity;
  if (input.subtasks !== undefined) set.subtasks = input.subtasks.map((s) => normaliseSubtask(normaliseId(input.id), s));
  const unset = CLEARABLE_TASK_FIELDS.filter((field) => input[field] === null || (field === "statusRaw" && set.status !== undefined && set.statusRaw === undefined));
  return { set, unset };
}
