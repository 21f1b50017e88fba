/** Colour family of each status (the label is always shown too: colour is never the only cue). */
import type { AgentStatus, TaskPriority, TaskStatus } from "../../../../protocol/index.ts";

export const AGENT_TONE: Readonly<Record<AgentStatus, string>> = {
  online: "good",
  busy: "busy",
  idle: "idle",
  offline: "idle",
  error: "bad",
};

export const TASK_TONE: Readonly<Record<TaskStatus, string>> = {
  pending: "idle",
  "in-progress": "busy",
  done: "good",
  review: "review",
  deferred: "warn",
  cancelled: "idle",
  blocked: "warn",
  failed: "bad",
};

export const PRIORITY_TONE: Readonly<Record<TaskPriority, string>> = {
  low: "idle",
  medium: "busy",
  high: "warn",
  critical: "bad",
};
