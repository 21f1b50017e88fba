/** Task Master ids arrive as numbers or strings; the hub stores strings ("5", subtasks "5.2"). */
import type { SubtaskState, TaskInput, TaskState } from "../../protocol/index.ts";

type SubtaskInput = NonNullable<TaskInput["subtasks"]>[number];

export function normaliseId(id: string | number): string {
  return String(id);
}

/** A subtask id 2 (or "2") of task 5 becomes "5.2"; an id that already has a dot is kept. */
export function normaliseSubtaskId(parentId: string, id: string | number): string {
  const s = String(id);
  return s.includes(".") ? s : `${parentId}.${s}`;
}

function normaliseSubtask(parentId: string, input: SubtaskInput): SubtaskState {
  const out: SubtaskState = {
    id: normaliseSubtaskId(parentId, input.id),
    status: input.status ?? "pending",
    dependencies: (input.dependencies ?? []).map(normaliseId),
  };
  if (input.title !== undefined) out.title = input.title;
  if (input.description !== undefined) out.description = input.description;
  if (input.details !== undefined) out.details = input.details;
  if (input.testStrategy !== undefined) out.testStrategy = input.testStrategy;
  if (input.priority !== undefined) out.priority = input.priority;
  if (input.agentId !== undefined) out.agentId = input.agentId;
  if (input.metadata !== undefined) out.metadata = input.metadata;
  return out;
}

/** The fields an upsert sets, normalised; absent fields are absent (they merge). */
export function taskFields(input: TaskInput): Partial<TaskState> {
  const id = normaliseId(input.id);
  const out: Partial<Omit<TaskState, "id" | "tag">> = {};
  if (input.title !== undefined) out.title = input.title;
  if (input.description !== undefined) out.description = input.description;
  if (input.details !== undefined) out.details = input.details;
  if (input.testStrategy !== undefined) out.testStrategy = input.testStrategy;
  if (input.status !== undefined) out.status = input.status;
  if (input.priority !== undefined) out.priority = input.priority;
  if (input.dependencies !== undefined) out.dependencies = input.dependencies.map(normaliseId);
  if (input.subtasks !== undefined) out.subtasks = input.subtasks.map((s) => normaliseSubtask(id, s));
  if (input.agentId !== undefined) out.agentId = input.agentId;
  if (input.metadata !== undefined) out.metadata = input.metadata;
  return out;
}
