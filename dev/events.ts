/** Builders of valid events for tests, benches and screenshots. */
import type { HubEventInput } from "../protocol/index.ts";

let counter = 0;
const nextId = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(++counter).toString(36)}`;
export const isoAt = (offsetMs = 0) => new Date(Date.now() + offsetMs).toISOString();

export const ev = {
  agentStatus: (agentId: string, status: "online" | "offline" | "busy" | "idle" | "error", extra: { taskId?: string | null; name?: string; detail?: string; occurredAt?: string; id?: string } = {}): HubEventInput => ({
    id: extra.id ?? nextId("as"),
    type: "agent.status",
    occurredAt: extra.occurredAt ?? isoAt(),
    data: { agentId, status, ...(extra.taskId !== undefined ? { taskId: extra.taskId } : {}), ...(extra.name ? { name: extra.name } : {}), ...(extra.detail ? { detail: extra.detail } : {}) },
  }),
  heartbeat: (agentId: string, occurredAt = isoAt()): HubEventInput => ({ id: nextId("hb"), type: "agent.heartbeat", occurredAt, data: { agentId } }),
  taskUpsert: (task: Record<string, unknown> & { id: string | number }, opts: { tag?: string; occurredAt?: string; id?: string } = {}): HubEventInput =>
    ({
      id: opts.id ?? nextId("tu"),
      type: "task.upsert",
      occurredAt: opts.occurredAt ?? isoAt(),
      data: { ...(opts.tag ? { tag: opts.tag } : {}), task },
    }) as HubEventInput,
  taskProgress: (taskId: string | number, percent: number, opts: { tag?: string; occurredAt?: string; message?: string } = {}): HubEventInput => ({
    id: nextId("tp"),
    type: "task.progress",
    occurredAt: opts.occurredAt ?? isoAt(),
    data: { taskId, percent, ...(opts.tag ? { tag: opts.tag } : {}), ...(opts.message ? { message: opts.message } : {}) },
  }),
  taskRemoved: (taskId: string | number, opts: { tag?: string; occurredAt?: string } = {}): HubEventInput => ({
    id: nextId("tr"),
    type: "task.removed",
    occurredAt: opts.occurredAt ?? isoAt(),
    data: { taskId, ...(opts.tag ? { tag: opts.tag } : {}) },
  }),
  health: (source: string, sample: { cpu?: number; queueDepth?: number; memory?: { usedBytes: number; totalBytes: number } } = {}, occurredAt = isoAt()): HubEventInput => ({
    id: nextId("hs"),
    type: "health.sample",
    occurredAt,
    data: { source, ...sample },
  }),
  meta: (data: { name?: string; currentTag?: string }, occurredAt = isoAt()): HubEventInput => ({ id: nextId("pm"), type: "project.meta", occurredAt, data }),
};
