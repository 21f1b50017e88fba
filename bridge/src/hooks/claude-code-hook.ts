/**
 * Claude Code's hook payloads → what the dashboard shows of the session.
 * Pure: the payload and the session's remembered task in, the agent's
 * report and the task to remember out.
 *
 * | hook               | status  | detail                         |
 * |--------------------|---------|--------------------------------|
 * | SessionStart       | online  | "session resumed" on resume    |
 * | UserPromptSubmit   | busy    | "working on a prompt"          |
 * | PreToolUse         | busy    | the tool ("Bash: npm", "Edit: app.ts", "task-master-ai: set_task_status") |
 * | PostToolUse        | busy    | the tool (only next_task is hooked: its answer names the task) |
 * | Notification       | idle    | "waiting for you"              |
 * | Stop               | idle    | —                              |
 * | SessionEnd         | offline | the reason                     |
 */
import { basename } from "node:path";
import * as v from "valibot";
import type { AgentStatus } from "../../../protocol/index.ts";
import { taskMoveOfToolCall, taskMoveOfToolResult, type TaskMove } from "./task-master-calls.ts";

export const HOOK_EVENTS = ["SessionStart", "UserPromptSubmit", "PreToolUse", "PostToolUse", "Notification", "Stop", "SessionEnd"] as const;
export type HookEvent = (typeof HOOK_EVENTS)[number];

/** The fields of Claude Code's hook input that matter here; the others are ignored. */
export const HookPayloadSchema = v.looseObject({
  session_id: v.pipe(v.string(), v.minLength(1)),
  hook_event_name: v.string(),
  cwd: v.optional(v.string()),
  transcript_path: v.optional(v.string()),
  tool_name: v.optional(v.string()),
  tool_input: v.optional(v.unknown()),
  tool_response: v.optional(v.unknown()),
  message: v.optional(v.string()),
  source: v.optional(v.string()),
  reason: v.optional(v.string()),
});
export type HookPayload = v.InferOutput<typeof HookPayloadSchema>;

/** The task a session works on, remembered between hook calls (each is its own process). */
export interface SessionTask {
  readonly taskId: string;
  readonly tag: string | null;
}

export interface HookReport {
  readonly status: AgentStatus;
  readonly detail: string | null;
  readonly task: SessionTask | null;
}

export const WAITING_FOR_YOU = "waiting for you";

/** Stable per session, safe as an agent id: "claude-code:4f1c2a9b0d3e". */
export function agentIdOf(sessionId: string): string {
  const key = sessionId.replace(/[^A-Za-z0-9]/g, "").slice(0, 12) || "session";
  return `claude-code:${key}`;
}

export function agentNameOf(projectRoot: string): string {
  return `Claude Code · ${basename(projectRoot)}`;
}

/** "Bash: npm", "Edit: app.ts", "task-master-ai: set_task_status", "Grep". No arguments beyond that: commands may hold secrets. */
export function toolLabel(toolName: string, toolInput: unknown): string {
  const input = (toolInput ?? {}) as Record<string, unknown>;
  const mcp = /^mcp__(.+?)__(.+)$/.exec(toolName);
  if (mcp) return `${mcp[1]}: ${mcp[2]}`;
  if (toolName === "Bash" && typeof input.command === "string") {
    const program = input.command.trim().split(/\s+/)[0];
    return program ? `Bash: ${basename(program)}` : "Bash";
  }
  const file = input.file_path ?? input.notebook_path;
  if (typeof file === "string" && file !== "") return `${toolName}: ${basename(file)}`;
  return toolName;
}

function moved(task: SessionTask | null, move: TaskMove | null): SessionTask | null {
  if (!move) return task;
  if (move.kind === "start") return { taskId: move.taskId, tag: move.tag };
  return task && move.taskIds.includes(task.taskId) ? null : task;
}

/** The report for one hook call, or null for hooks that report nothing. */
export function reportOf(payload: HookPayload, task: SessionTask | null): HookReport | null {
  const tool = payload.tool_name ?? "";
  switch (payload.hook_event_name as HookEvent) {
    case "SessionStart":
      return { status: "online", detail: payload.source === "resume" ? "session resumed" : null, task };
    case "UserPromptSubmit":
      return { status: "busy", detail: "working on a prompt", task };
    case "PreToolUse":
      return { status: "busy", detail: toolLabel(tool, payload.tool_input), task: moved(task, taskMoveOfToolCall(tool, payload.tool_input)) };
    case "PostToolUse": {
      const move = taskMoveOfToolResult(tool, payload.tool_response);
      return move ? { status: "busy", detail: toolLabel(tool, payload.tool_input), task: moved(task, move) } : null;
    }
    case "Notification":
      return { status: "idle", detail: WAITING_FOR_YOU, task };
    case "Stop":
      return { status: "idle", detail: null, task };
    case "SessionEnd":
      return { status: "offline", detail: payload.reason ? `session ended (${payload.reason})` : "session ended", task: null };
    default:
      return null;
  }
}
