/**
 * The tools of `taskmaster-live mcp`, independent of the transport: their
 * JSON Schemas (what MCP clients show the model) and valibot schemas (what
 * the server checks), and what each call turns into.
 */
import * as v from "valibot";
import { AGENT_STATUSES } from "../../../protocol/index.ts";

const TASK_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const TAG = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const task = v.pipe(v.string(), v.regex(TASK_ID, "task must be a Task Master id such as 5 or 5.2"));
const tag = v.pipe(v.string(), v.regex(TAG, "tag must be 1-64 of A-Z a-z 0-9 . _ -"));

export const ReportStatusInput = v.object({
  status: v.picklist(AGENT_STATUSES, `status must be one of ${AGENT_STATUSES.join(", ")}`),
  task: v.optional(v.nullable(task)),
  detail: v.optional(v.pipe(v.string(), v.maxLength(2000, "detail must be at most 2000 characters"))),
  tag: v.optional(tag),
});

export const ReportProgressInput = v.object({
  task,
  percent: v.pipe(v.number("percent must be a number"), v.minValue(0, "percent must be at least 0"), v.maxValue(100, "percent must be at most 100")),
  message: v.optional(v.pipe(v.string(), v.maxLength(2000, "message must be at most 2000 characters"))),
  tag: v.optional(tag),
});

export const WhoamiInput = v.object({});

const taskProperty = { type: "string", description: "A Task Master task id, e.g. 5 or 5.2", pattern: TASK_ID.source };
const tagProperty = { type: "string", description: "The Task Master tag of the task (default: the project's current tag)", pattern: TAG.source };

export const TOOL_DEFINITIONS = [
  {
    name: "report_status",
    description: "Tell the project's live dashboard what you are doing: your status, the Task Master task you work on (null or omitted: none), and a few words of detail.",
    inputSchema: {
      type: "object",
      properties: {
        status: { type: "string", enum: [...AGENT_STATUSES], description: "busy while working, idle when waiting, error when stuck, offline when leaving" },
        task: { ...taskProperty, type: ["string", "null"] },
        detail: { type: "string", maxLength: 2000, description: "What you are doing, in a few words" },
        tag: tagProperty,
      },
      required: ["status"],
      additionalProperties: false,
    },
  },
  {
    name: "report_progress",
    description: "Report how far a Task Master task is (0-100 %), with an optional message, on the project's live dashboard.",
    inputSchema: {
      type: "object",
      properties: {
        task: taskProperty,
        percent: { type: "number", minimum: 0, maximum: 100 },
        message: { type: "string", maxLength: 2000 },
        tag: tagProperty,
      },
      required: ["task", "percent"],
      additionalProperties: false,
    },
  },
  {
    name: "whoami",
    description: "Your agent id and name on the dashboard, the hub and channel you report to, and your last report.",
    inputSchema: { type: "object", properties: {}, additionalProperties: false },
  },
] as const;

export type ToolName = (typeof TOOL_DEFINITIONS)[number]["name"];

/** "status: must be one of …; percent: must be at most 100", for the tool's error result. */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  return issues.map((issue) => `${v.getDotPath(issue) ?? "arguments"}: ${issue.message}`).join("; ");
}
