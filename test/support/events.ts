/** Builders of valid events for tests. */
import type { HubEventInput } from "../../protocol/index.ts";

let counter = 0;
const nextId = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(++counter).toString(36)}`;
const at = (offsetMs = 0) => new Date(Date.now() + offsetMs).toISOString();

export const ev = {
  agentStatus: (agentId: string, status: "online" | "offline" | "busy" | "idle" | "error", extra: { taskId?: string | null; name?: string; detail?: string; occurredAt?: string; id?: string } = {}): HubEventInput => ({
    id: extra.id ?? nextId("as"),
    type: "agent.status",
    occurredAt: extra.occurredAt ?? at(),
    data: { agentId, status, ...(extra.taskId !== undefined ? { taskId: extra.taskId } : {}), ...(extra.name ? { name: extra.name } : {}), ...(extra.detail ? { detail: extra.detail } : {}) },
  }),
  heartbeat: (agentId: string, occurredAt = at()): HubEventInput => ({ id: nextId("hb"), type: "agent.heartbeat", occurredAt, data: { agentId } }),
  taskUpsert: (task: Record<string, unknown> & { id: string | number }, opts: { tag?: string; occurredAt?: string; id?: string } = {}): HubEventInput =>
    ({
      id: opts.id ?? nextId("tu"),
      type: "task.upsert",
      occurredAt: opts.occurredAt ?? at(),
      data: { ...(opts.tag ? { tag: opts.tag } : {}), task },
    }) as HubEventInput,
  taskProgress: (taskId: string | number, percent: number, opts: { tag?: string; occurredAt?: string; message?: string } = {}): HubEventInput => ({
    id: nextId("tp"),
    type: "task.progress",
    occurredAt: opts.occurredAt ?? at(),
    data: { taskId, percent, ...(opts.tag ? { tag: opts.tag } : {}), ...(opts.message ? { message: opts.message } : {}) },
  }),
  taskRemoved: (taskId: string | number, opts: { tag?: string; occurredAt?: string } = {}): HubEventInput => ({
    id: nextId("tr"),
    type: "task.removed",
    occurredAt: opts.occurredAt ?? at(),
    data: { taskId, ...(opts.tag ? { tag: opts.tag } : {}) },
  }),
  health: (source: string, sample: { cpu?: number; queueDepth?: number; memory?: { usedBytes: number; totalBytes: number } } = {}, occurredAt = at()): HubEventInput => ({
    id: nextId("hs"),
    type: "health.sample",
    occurredAt,
    data: { source, ...sample },
  }),
  meta: (data: { name?: string; currentTag?: string }, occurredAt = at()): HubEventInput => ({ id: nextId("pm"), type: "project.meta", occurredAt, data }),
};

export { at as isoAt };
