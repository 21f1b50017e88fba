/**
 * The per-channel state, identical in the REST snapshot, the `snapshot`
 * frame, and every client that applied the deltas since (see changes.ts).
 * Schemas first (clients validate snapshots at runtime); the types are inferred.
 */
import * as v from "valibot";
import { AgentStatusSchema, TaskPrioritySchema, TaskStatusSchema } from "./events.ts";
import { ownRecord } from "./own-record.ts";

export const AgentStateSchema = v.object({
  id: v.string(),
  name: v.optional(v.string()),
  status: AgentStatusSchema,
  /** The task the agent works on, or null. */
  taskId: v.nullable(v.string()),
  detail: v.nullable(v.string()),
  /** When the hub last heard of this agent (server clock, ISO-8601). Drives AGENT_TTL_SECONDS. */
  lastSeenAt: v.string(),
  /** `occurredAt` of the last event applied to this agent. */
  updatedAt: v.string(),
  /** The tag of `taskId`, when the agent named one; else the task is in the project's current tag. */
  taskTag: v.optional(v.nullable(v.string())),
});

/** The fields a task and a subtask share. */
const workItemEntries = {
  title: v.optional(v.string()),
  description: v.optional(v.string()),
  details: v.optional(v.string()),
  testStrategy: v.optional(v.string()),
  status: TaskStatusSchema,
  priority: v.optional(TaskPrioritySchema),
  dependencies: v.array(v.string()),
  agentId: v.optional(v.nullable(v.string())),
  metadata: v.optional(ownRecord(v.unknown())),
  /**
   * Task Master's own status text when it is not one of TASK_STATUSES
   * (a custom status): show this text. `status` is then `blocked`, so
   * nothing counts the item as ready or done (see task-status.ts).
   */
  statusRaw: v.optional(v.string()),
  /** Task Master's own `createdAt` of the item (ISO-8601), when its file has one. */
  createdAt: v.optional(v.string()),
  /** Task Master's own `updatedAt` of the item (ISO-8601): when it was last edited there. Not the hub's `updatedAt`. */
  modifiedAt: v.optional(v.string()),
};

/** From Task Master's complexity report (`.taskmaster/reports/task-complexity-report[_<tag>].json`). */
export const TaskComplexitySchema = v.object({
  /** 1-10. */
  score: v.number(),
  recommendedSubtasks: v.optional(v.number()),
  reasoning: v.optional(v.string()),
});

const SubtaskStateSchema = v.object({
  ...workItemEntries,
  /** Always "<parent>.<sub>", e.g. "5.2". */
  id: v.string(),
});

const TaskProgressSchema = v.object({
  percent: v.number(),
  message: v.optional(v.string()),
  /** `occurredAt` of the progress event. */
  at: v.string(),
});

export const TaskStateSchema = v.object({
  ...workItemEntries,
  id: v.string(),
  tag: v.string(),
  subtasks: v.array(SubtaskStateSchema),
  progress: v.optional(TaskProgressSchema),
  complexity: v.optional(TaskComplexitySchema),
  /** `occurredAt` of the last event applied to this task. */
  updatedAt: v.string(),
  /** Agents (not offline) reporting this task or one of its subtasks as their current task, by id; kept by the hub. */
  agents: v.optional(v.array(v.string())),
});

export const HealthSampleSchema = v.object({
  /** `occurredAt` of the sample. */
  at: v.string(),
  cpu: v.optional(v.number()),
  memory: v.optional(v.object({ usedBytes: v.number(), totalBytes: v.number() })),
  queueDepth: v.optional(v.number()),
});

export const ProjectTagSchema = v.object({
  name: v.string(),
  description: v.optional(v.string()),
});

export const ProjectMetaSchema = v.object({
  name: v.optional(v.string()),
  currentTag: v.optional(v.string()),
  /** Every tag of the project, empty ones too, in Task Master's order (absent until a sender lists them). */
  tags: v.optional(v.array(ProjectTagSchema)),
});

export const ChannelStateSchema = v.object({
  meta: ProjectMetaSchema,
  /** By agent id. */
  agents: ownRecord(AgentStateSchema),
  /** By tag, then task id. A tag with no tasks is absent. */
  tasks: ownRecord(ownRecord(TaskStateSchema)),
  /** By source, oldest first, at most HEALTH_HISTORY samples each. */
  health: ownRecord(v.array(HealthSampleSchema)),
});

export type AgentState = v.InferOutput<typeof AgentStateSchema>;
export type WorkItemFields = v.InferOutput<v.ObjectSchema<typeof workItemEntries, undefined>>;
export type SubtaskState = v.InferOutput<typeof SubtaskStateSchema>;
export type TaskState = v.InferOutput<typeof TaskStateSchema>;
export type HealthSample = v.InferOutput<typeof HealthSampleSchema>;
export type ProjectMeta = v.InferOutput<typeof ProjectMetaSchema>;
export type ChannelState = v.InferOutput<typeof ChannelStateSchema>;
export type TaskComplexity = v.InferOutput<typeof TaskComplexitySchema>;
export type ProjectTag = v.InferOutput<typeof ProjectTagSchema>;

/** The task fields a `task.upsert` clears with an explicit null (a task patch lists them in `unset`). */
export const CLEARABLE_TASK_FIELDS = [
  "description",
  "details",
  "testStrategy",
  "priority",
  "agentId",
  "metadata",
  "statusRaw",
  "createdAt",
  "modifiedAt",
  "complexity",
] as const satisfies readonly (keyof TaskState)[];
export type ClearableTaskField = (typeof CLEARABLE_TASK_FIELDS)[number];

export function emptyState(): ChannelState {
  return { meta: {}, agents: {}, tasks: {}, health: {} };
}
