/**
 * Events TaskMaster (or the bridge) posts to `POST /webhooks/:channel`.
 * One schema library (valibot) validates at runtime; the types are inferred.
 */
import * as v from "valibot";
import { MAX_EVENT_ID_LENGTH } from "./limits.ts";

export const AGENT_STATUSES = ["online", "offline", "busy", "idle", "error"] as const;
/** Task Master's statuses, plus `failed`. */
export const TASK_STATUSES = [
  "pending",
  "in-progress",
  "done",
  "review",
  "deferred",
  "cancelled",
  "blocked",
  "failed",
] as const;
export const TASK_PRIORITIES = ["low", "medium", "high", "critical"] as const;
export const DEFAULT_TAG = "master";

/** The field rules events and the state share. */
export const AgentStatusSchema = v.picklist(AGENT_STATUSES);
export const TaskStatusSchema = v.picklist(TASK_STATUSES);
export const TaskPrioritySchema = v.picklist(TASK_PRIORITIES);

export type AgentStatus = v.InferOutput<typeof AgentStatusSchema>;
export type TaskStatus = v.InferOutput<typeof TaskStatusSchema>;
export type TaskPriority = v.InferOutput<typeof TaskPrioritySchema>;

// ISO-8601 date-time with an explicit zone; Date.parse must agree it is real.
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
/** Date.parse rolls "2026-02-30" over into March, so the day is also checked against its month. */
function isRealDateTime(s: string): boolean {
  if (!ISO_DATE_TIME.test(s)) return true; // the regex already reported it: one issue per problem
  if (Number.isNaN(Date.parse(s))) return false;
  const [year, month, day] = s.slice(0, 10).split("-").map(Number) as [number, number, number];
  const lastDay = new Date(0);
  lastDay.setUTCFullYear(year, month, 0);
  return day >= 1 && day <= lastDay.getUTCDate();
}
const isoDateTime = v.pipe(
  v.string(),
  v.regex(ISO_DATE_TIME, "must be an ISO-8601 date-time with a time zone"),
  v.check(isRealDateTime, "is not a real date-time"),
);

const KEY = /^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}$/;
const key = (what: string) =>
  v.pipe(v.string(), v.regex(KEY, `${what} must be 1-128 of A-Z a-z 0-9 . _ : @ / - (starting alphanumeric)`));

const text = (max: number) => v.pipe(v.string(), v.maxLength(max, `must be at most ${max} characters`));
const tag = v.pipe(v.string(), v.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "tag must be 1-64 of A-Z a-z 0-9 . _ - (starting alphanumeric)"));
const TASK_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const taskId = v.union(
  [
    v.pipe(v.number(), v.integer(), v.minValue(0)),
    v.pipe(v.string(), v.regex(TASK_ID)),
  ],
  "task id must be a non-negative integer or a string of 1-64 of A-Z a-z 0-9 . _ -",
);
const metadata = v.record(v.string(), v.unknown());
const percent = v.pipe(v.number(), v.minValue(0), v.maxValue(100));

/** The fields a task and a subtask share. */
const workItemFields = {
  id: taskId,
  title: v.optional(text(2000)),
  description: v.optional(text(200_000)),
  details: v.optional(text(200_000)),
  testStrategy: v.optional(text(200_000)),
  status: v.optional(TaskStatusSchema),
  priority: v.optional(TaskPrioritySchema),
  dependencies: v.optional(v.array(taskId)),
  agentId: v.optional(v.nullable(key("agentId"))),
  metadata: v.optional(metadata),
};

export const TaskInputSchema = v.object({
  ...workItemFields,
  subtasks: v.optional(v.array(v.object(workItemFields))),
});

const AgentStatusData = v.object({
  agentId: key("agentId"),
  name: v.optional(text(200)),
  status: AgentStatusSchema,
  taskId: v.optional(v.nullable(v.pipe(v.string(), v.regex(TASK_ID)))),
  detail: v.optional(text(2000)),
  /** The tag of `taskId` (default: the project's current tag). */
  taskTag: v.optional(v.nullable(tag)),
});
const AgentHeartbeatData = v.object({ agentId: key("agentId") });
export const TaskUpsertData = v.object({ tag: v.optional(tag), task: TaskInputSchema });
const TaskProgressData = v.object({
  tag: v.optional(tag),
  taskId,
  percent,
  message: v.optional(text(2000)),
});
const TaskRemovedData = v.object({ tag: v.optional(tag), taskId });
const HealthSampleData = v.pipe(
  v.object({
    source: key("source"),
    cpu: v.optional(percent),
    memory: v.optional(
      v.pipe(
        v.object({
          usedBytes: v.pipe(v.number(), v.minValue(0)),
          totalBytes: v.pipe(v.number(), v.minValue(0)),
        }),
        v.check((m) => m.usedBytes <= m.totalBytes, "usedBytes must not exceed totalBytes"),
      ),
    ),
    queueDepth: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  }),
);
const ProjectMetaData = v.object({
  name: v.optional(text(200)),
  currentTag: v.optional(tag),
});

const envelope = <T extends string, D extends v.GenericSchema>(type: T, data: D) =>
  v.object({
    id: v.pipe(v.string(), v.minLength(1, "must not be empty"), v.maxLength(MAX_EVENT_ID_LENGTH, `must be at most ${MAX_EVENT_ID_LENGTH} characters`)),
    type: v.literal(type),
    occurredAt: isoDateTime,
    data,
  });

export const EventSchema = v.variant(
  "type",
  [
    envelope("agent.status", AgentStatusData),
    envelope("agent.heartbeat", AgentHeartbeatData),
    envelope("task.upsert", TaskUpsertData),
    envelope("task.progress", TaskProgressData),
    envelope("task.removed", TaskRemovedData),
    envelope("health.sample", HealthSampleData),
    envelope("project.meta", ProjectMetaData),
  ],
  "type must be one of agent.status, agent.heartbeat, task.upsert, task.progress, task.removed, health.sample, project.meta",
);

export type HubEvent = v.InferOutput<typeof EventSchema>;
export type HubEventInput = v.InferInput<typeof EventSchema>;
type EventType = HubEvent["type"];
export type EventOf<T extends EventType> = Extract<HubEvent, { type: T }>;
export type TaskInput = v.InferOutput<typeof TaskInputSchema>;
