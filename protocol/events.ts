/**
 * Events TaskMaster (or the bridge) posts to `POST /webhooks/:channel`.
 * One schema library (valibot) validates at runtime; the types are inferred.
 */
import * as v from "valibot";
import { jsonByteLength, nestsDeeperThan, utf8ByteLength } from "./json-bounds.ts";
import {
  MAX_EVENT_BYTES,
  MAX_EVENT_ID_LENGTH,
  MAX_INTEGER_TASK_ID,
  MAX_LONG_TEXT_BYTES,
  MAX_METADATA_BYTES,
  MAX_METADATA_DEPTH,
  MAX_NAME_BYTES,
  MAX_SHORT_TEXT_BYTES,
} from "./limits.ts";

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

const text = (maxBytes: number) => v.pipe(v.string(), v.check((s) => utf8ByteLength(s) <= maxBytes, `must be at most ${maxBytes} bytes of UTF-8`));
const tag = v.pipe(v.string(), v.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "tag must be 1-64 of A-Z a-z 0-9 . _ - (starting alphanumeric)"));
const TASK_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const TASK_ID_RULE = `task id must be an integer from 0 to ${MAX_INTEGER_TASK_ID} or a string of 1-64 of A-Z a-z 0-9 . _ -`;
const taskId = v.union(
  [
    // Past 2^53 - 1 two different ids parse to the same number.
    v.pipe(v.number(), v.safeInteger(TASK_ID_RULE), v.minValue(0, TASK_ID_RULE)),
    v.pipe(v.string(), v.regex(TASK_ID, TASK_ID_RULE)),
  ],
  TASK_ID_RULE,
);
/**
 * A check that runs only on a value with no issue so far. valibot runs a `check` after an
 * earlier one failed, and a parent's check after a child's: a size check must not serialise
 * the 10,000-level metadata the depth check just refused.
 */
function checkIfValid<T>(requirement: (value: T) => boolean, message: string) {
  return v.rawCheck<T>(({ dataset, addIssue }) => {
    if (dataset.typed && !dataset.issues && !requirement(dataset.value)) addIssue({ message });
  });
}

/**
 * Free-form, but bounded: the depth is checked without recursion before anything
 * (the size check, later a structured clone or a comparison) walks it recursively.
 * Passed through whole: every own key is kept, "constructor" and "__proto__" included, as the state keeps them.
 */
const metadata = v.pipe(
  v.custom<Record<string, unknown>>((m) => typeof m === "object" && m !== null && !Array.isArray(m), "must be an object"),
  v.check((m) => !nestsDeeperThan(m, MAX_METADATA_DEPTH), `must nest at most ${MAX_METADATA_DEPTH} objects or arrays deep`),
  checkIfValid((m) => jsonByteLength(m) <= MAX_METADATA_BYTES, `must be at most ${MAX_METADATA_BYTES} bytes as JSON`),
);
const percent = v.pipe(v.number(), v.minValue(0), v.maxValue(100));

/**
 * The fields a task and a subtask share. On a task, an explicit `null`
 * clears a field (see CLEARABLE_TASK_FIELDS in state.ts); id, title and
 * status cannot be cleared.
 */
const workItemFields = {
  id: taskId,
  title: v.optional(text(MAX_SHORT_TEXT_BYTES)),
  description: v.optional(v.nullable(text(MAX_LONG_TEXT_BYTES))),
  details: v.optional(v.nullable(text(MAX_LONG_TEXT_BYTES))),
  testStrategy: v.optional(v.nullable(text(MAX_LONG_TEXT_BYTES))),
  status: v.optional(TaskStatusSchema),
  priority: v.optional(v.nullable(TaskPrioritySchema)),
  dependencies: v.optional(v.array(taskId)),
  agentId: v.optional(v.nullable(key("agentId"))),
  metadata: v.optional(v.nullable(metadata)),
  /** Task Master's status text when it is not one of TASK_STATUSES (see task-status.ts). */
  statusRaw: v.optional(v.nullable(v.pipe(text(64), v.minLength(1, "must not be empty")))),
  /** Task Master's own `createdAt` / `updatedAt` of the item (not the hub's `updatedAt`). */
  createdAt: v.optional(v.nullable(isoDateTime)),
  modifiedAt: v.optional(v.nullable(isoDateTime)),
};

/** Task Master's complexity report entry for a task (`task-master analyze-complexity`). */
export const ComplexityInputSchema = v.object({
  score: v.pipe(v.number(), v.minValue(1), v.maxValue(10)),
  recommendedSubtasks: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1000))),
  reasoning: v.optional(text(20_000)),
});

export const TaskInputSchema = v.object({
  ...workItemFields,
  complexity: v.optional(v.nullable(ComplexityInputSchema)),
  subtasks: v.optional(v.array(v.object(workItemFields))),
});

const AgentStatusData = v.object({
  agentId: key("agentId"),
  name: v.optional(text(MAX_NAME_BYTES)),
  status: AgentStatusSchema,
  taskId: v.optional(v.nullable(v.pipe(v.string(), v.regex(TASK_ID)))),
  detail: v.optional(text(MAX_SHORT_TEXT_BYTES)),
  /** The tag of `taskId` (default: the project's current tag). */
  taskTag: v.optional(v.nullable(tag)),
});
const AgentHeartbeatData = v.object({ agentId: key("agentId") });
export const TaskUpsertData = v.object({ tag: v.optional(tag), task: TaskInputSchema });
const TaskProgressData = v.object({
  tag: v.optional(tag),
  taskId,
  percent,
  message: v.optional(text(MAX_SHORT_TEXT_BYTES)),
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

/** Most tags a project lists (project.meta `tags`, project.sync `tags`). */
export const MAX_PROJECT_TAGS = 1000;
/** Most task ids one project.sync names, over all its tags. */
export const MAX_SYNC_TASK_IDS = 50_000;
const ProjectMetaData = v.object({
  name: v.optional(text(MAX_NAME_BYTES)),
  currentTag: v.optional(tag),
  /** Every tag of the project, empty ones too, in Task Master's order: replaces the list. */
  tags: v.optional(
    v.pipe(
      v.array(v.object({ name: tag, description: v.optional(text(MAX_SHORT_TEXT_BYTES)) })),
      v.maxLength(MAX_PROJECT_TAGS, `must list at most ${MAX_PROJECT_TAGS} tags`),
      v.check((tags) => new Set(tags.map((t) => t.name)).size === tags.length, "must not name a tag twice"),
    ),
  ),
});
/**
 * "The project holds exactly these tasks": the hub removes every task of a
 * listed tag whose id is not listed, and every task of a tag not listed,
 * unless that task changed after `occurredAt`. Upserts go first; this only
 * removes, in one delta, so no viewer sees the project emptied.
 */
const ProjectSyncData = v.object({
  tags: v.pipe(
    v.array(v.object({ tag, taskIds: v.array(taskId) })),
    v.maxLength(MAX_PROJECT_TAGS, `must list at most ${MAX_PROJECT_TAGS} tags`),
    v.check((tags) => new Set(tags.map((t) => t.tag)).size === tags.length, "must not name a tag twice"),
    v.check((tags) => tags.reduce((n, t) => n + t.taskIds.length, 0) <= MAX_SYNC_TASK_IDS, `must name at most ${MAX_SYNC_TASK_IDS} task ids in all`),
  ),
});

/** Printable ASCII: no control characters, nothing a log line or a terminal could misread. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const eventId = v.pipe(
  v.string(),
  v.minLength(1, "must not be empty"),
  v.regex(PRINTABLE_ASCII, "must be printable ASCII (0x20-0x7E), without control characters"),
  v.maxLength(MAX_EVENT_ID_LENGTH, `must be at most ${MAX_EVENT_ID_LENGTH} characters`),
);

const envelope = <T extends string, D extends v.GenericSchema>(type: T, data: D) =>
  v.pipe(
    v.object({ id: eventId, type: v.literal(type), occurredAt: isoDateTime, data }),
    checkIfValid((event) => jsonByteLength(event) <= MAX_EVENT_BYTES, `the event must be at most ${MAX_EVENT_BYTES} bytes as JSON, so that it fits in one body`),
  );

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
    envelope("project.sync", ProjectSyncData),
  ],
  "type must be one of agent.status, agent.heartbeat, task.upsert, task.progress, task.removed, health.sample, project.meta, project.sync",
);

export type HubEvent = v.InferOutput<typeof EventSchema>;
export type HubEventInput = v.InferInput<typeof EventSchema>;
type EventType = HubEvent["type"];
export type EventOf<T extends EventType> = Extract<HubEvent, { type: T }>;
export type TaskInput = v.InferOutput<typeof TaskInputSchema>;
export type ComplexityInput = v.InferOutput<typeof ComplexityInputSchema>;
