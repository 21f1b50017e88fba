/** Task Master ids arrive as numbers or strings; the hub stores strings ("5", subtasks "5.2"). */
import { subtaskIdOf, type SubtaskState, type TaskInput, type TaskState, type WorkItemFields } from "../../protocol/index.ts";

type WorkItemInput = Omit<TaskInput, "subtasks">;

export function normaliseId(id: string | number): string {
  return String(id);
}

const COPIED_AS_IS = ["title", "description", "details", "testStrategy", "status", "priority", "agentId", "metadata"] as const;

/** The fields the input sets, normalised; absent fields stay absent (so they merge). */
function workItemFields(input: WorkItemInput): Partial<WorkItemFields> {
  const out: Partial<WorkItemFields> = {};
  for (const name of COPIED_AS_IS) {
    if (input[name] !== undefined) (out as Record<string, unknown>)[name] = input[name];
  }
  if (input.dependencies !== undefined) out.dependencies = input.dependencies.map(normaliseId);
  return out;
}

function normaliseSubtask(parentId: string, input: WorkItemInput): SubtaskState {
  // A subtask is always sent whole, so absent status and dependencies get their defaults.
  return { status: "pending", dependencies: [], ...workItemFields(input), id: subtaskIdOf(parentId, input.id) };
}

/** The fields an upsert sets, normalised; absent fields are absent (they merge). */
export function taskFields(input: TaskInput): Partial<TaskState> {
  const out: Partial<TaskState> = workItemFields(input);
  if (input.subtasks !== undefined) out.subtasks = input.subtasks.map((s) => normaliseSubtask(normaliseId(input.id), s));
  return out;
}
