/**
 * Task Master's status text → the hub's status. One rule for the bridge and
 * the hub. Task Master still counts the legacy `completed` as done; any other
 * text it does not define (a custom status typed into tasks.json) is kept as
 * `statusRaw` and counts as `blocked`: neither ready nor done, as
 * `task-master next` treats it.
 */
import { TASK_STATUSES, type TaskStatus } from "./events.ts";

/** What an unknown status counts as. */
export const UNKNOWN_STATUS_FALLBACK: TaskStatus = "blocked";

/** Older statuses Task Master still reads, and the status each one means. */
const LEGACY_STATUSES: Readonly<Record<string, TaskStatus>> = { completed: "done" };

export interface ReadStatus {
  readonly status: TaskStatus;
  /** Present only for a status the hub does not know. */
  readonly statusRaw?: string;
}

export function isTaskStatus(text: unknown): text is TaskStatus {
  return (TASK_STATUSES as readonly unknown[]).includes(text);
}

export function readTaskStatus(text: string): ReadStatus {
  if (isTaskStatus(text)) return { status: text };
  if (Object.hasOwn(LEGACY_STATUSES, text)) return { status: LEGACY_STATUSES[text]! };
  return { status: UNKNOWN_STATUS_FALLBACK, statusRaw: text };
}
