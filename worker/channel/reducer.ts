/**
 * The event reducer: decides what one event does to the channel. Pure: it
 * reads the current state and entity versions and returns the changes; the
 * caller applies them (applyChange) and persists them.
 *
 * Conflict rule: every entity remembers the `occurredAt` of the last event
 * applied to it (its version). An event older than that is stale and does
 * nothing. A removal keeps its version as a tombstone, so a late, older
 * upsert cannot resurrect the entity.
 *
 * `project.sync` is the one event that touches many entities: it removes
 * the tasks the project no longer has, each leaving a tombstone at the
 * sync's version (`tombstones`), and spares any task changed after it.
 */
import {
  DEFAULT_TAG,
  ownEntry,
  type AgentState,
  type Change,
  type ChannelState,
  type EventOf,
  type HubEvent,
  type TaskState,
} from "../../protocol/index.ts";
import { entityKey, type EntityRef } from "./entity-keys.ts";
import { changedFields } from "./json-equal.ts";
import { normaliseId, taskFields } from "./task-normalise.ts";

export interface ReducerView {
  readonly state: ChannelState;
  /** Version (ms since epoch) of an entity, including removed ones; undefined if never seen. */
  versionOf(entity: string): number | undefined;
}

interface ReducerContext {
  /** Server clock, ms. Used for `lastSeenAt`, which drives agent expiry. */
  readonly nowMs: number;
  readonly healthHistory: number;
  /** Events dated before this (the purge horizon) are stale: what they would change may already be purged. */
  readonly staleBeforeMs?: number;
}

type Decision =
  | { readonly outcome: "stale"; readonly entity: EntityRef }
  /** "unchanged": applied, but nothing a viewer can see changed (no delta). */
  | {
      readonly outcome: "applied" | "unchanged";
      readonly entity: EntityRef;
      readonly version: number;
      readonly changes: Change[];
      /** Further entities the event removed: the caller stamps them with `version`. */
      readonly tombstones?: readonly EntityRef[];
    };

function entityOf(event: HubEvent): EntityRef {
  switch (event.type) {
    case "agent.status":
    case "agent.heartbeat":
      return { kind: "agent", id: event.data.agentId };
    case "task.upsert":
      return { kind: "task", tag: event.data.tag ?? DEFAULT_TAG, id: normaliseId(event.data.task.id) };
    case "task.progress":
    case "task.removed":
      return { kind: "task", tag: event.data.tag ?? DEFAULT_TAG, id: normaliseId(event.data.taskId) };
    case "health.sample":
      return { kind: "health", source: event.data.source };
    case "project.meta":
      return { kind: "meta" };
    case "project.sync":
      return { kind: "sync" };
  }
}

export function reduce(view: ReducerView, event: HubEvent, ctx: ReducerContext): Decision {
  const entity = entityOf(event);
  const version = Date.parse(event.occurredAt);
  const current = view.versionOf(entityKey(entity));
  if (current !== undefined && version < current) return { outcome: "stale", entity };
  if (ctx.staleBeforeMs !== undefined && version < ctx.staleBeforeMs) return { outcome: "stale", entity };
  if (event.type === "project.sync") {
    const { changes, tombstones } = projectSync(view, event, version);
    return { outcome: changes.length > 0 ? "applied" : "unchanged", entity, version, changes, tombstones };
  }
  const changes = changesFor(view.state, event, ctx);
  return { outcome: changes.length > 0 ? "applied" : "unchanged", entity, version, changes };
}

function changesFor(state: ChannelState, event: Exclude<HubEvent, EventOf<"project.sync">>, ctx: ReducerContext): Change[] {
  switch (event.type) {
    case "agent.status":
      return agentStatus(state, event, ctx);
    case "agent.heartbeat":
      return agentHeartbeat(state, event, ctx);
    case "task.upsert":
      return taskUpsert(state, event);
    case "task.progress":
      return taskProgress(state, event);
    case "task.removed":
      return taskRemoved(state, event);
    case "health.sample":
      return healthSample(event, ctx);
    case "project.meta":
      return projectMeta(state, event);
  }
}

const isoNow = (ctx: ReducerContext) => new Date(ctx.nowMs).toISOString();

/** A status report replaces status, taskId and detail (absent = null); name is kept unless given. */
function agentStatus(state: ChannelState, event: EventOf<"agent.status">, ctx: ReducerContext): Change[] {
  const { agentId, name, status, taskId, detail } = event.data;
  const next: Partial<AgentState> = { status, taskId: taskId ?? null, detail: detail ?? null, lastSeenAt: isoNow(ctx), updatedAt: event.occurredAt };
  if (name !== undefined) next.name = name;
  const agent = ownEntry(state.agents, agentId);
  // Like taskId, an absent taskTag clears one given before; agents that never name a tag never carry the field.
  if (event.data.taskTag != null || (agent?.taskTag ?? null) !== null) next.taskTag = event.data.taskTag ?? null;
  if (!agent) return [{ kind: "agent", op: "set", key: agentId, value: { id: agentId, ...next } as AgentState }];
  return agentPatch(agent, next);
}

function agentPatch(agent: AgentState, next: Partial<AgentState>): Change[] {
  const value = changedFields(agent, next);
  return Object.keys(value).length > 0 ? [{ kind: "agent", op: "patch", key: agent.id, value }] : [];
}

/** A heartbeat refreshes lastSeenAt, and brings an offline agent back online. */
function agentHeartbeat(state: ChannelState, event: EventOf<"agent.heartbeat">, ctx: ReducerContext): Change[] {
  const { agentId } = event.data;
  const agent = ownEntry(state.agents, agentId);
  const seen = { lastSeenAt: isoNow(ctx), updatedAt: event.occurredAt };
  if (!agent) {
    return [{ kind: "agent", op: "set", key: agentId, value: { id: agentId, status: "online", taskId: null, detail: null, ...seen } }];
  }
  const next: Partial<AgentState> = agent.status === "offline" ? { ...seen, status: "online", detail: null } : seen;
  return agentPatch(agent, next);
}

function taskAt(state: ChannelState, tag: string, id: string): TaskState | undefined {
  const tasks = ownEntry(state.tasks, tag);
  return tasks && ownEntry(tasks, id);
}

function newTask(tag: string, id: string, occurredAt: string): TaskState {
  return { id, tag, status: "pending", dependencies: [], subtasks: [], updatedAt: occurredAt };
}

/** Fields merge into the stored task, null clears one; only the fields that differ travel. */
function taskUpsert(state: ChannelState, event: EventOf<"task.upsert">): Change[] {
  const tag = event.data.tag ?? DEFAULT_TAG;
  const id = normaliseId(event.data.task.id);
  const { set, unset } = taskFields(event.data.task);
  const task = taskAt(state, tag, id);
  if (!task) return [{ kind: "task", op: "set", tag, key: id, value: { ...newTask(tag, id, event.occurredAt), ...set } }];
  const patch = changedFields(task, set);
  const cleared = unset.filter((field) => Object.hasOwn(task, field));
  if (Object.keys(patch).length === 0 && cleared.length === 0) return [];
  const value = { ...patch, updatedAt: event.occurredAt };
  return [cleared.length > 0 ? { kind: "task", op: "patch", tag, key: id, value, unset: cleared } : { kind: "task", op: "patch", tag, key: id, value }];
}

function taskProgress(state: ChannelState, event: EventOf<"task.progress">): Change[] {
  const tag = event.data.tag ?? DEFAULT_TAG;
  const id = normaliseId(event.data.taskId);
  const progress = { percent: event.data.percent, at: event.occurredAt, ...(event.data.message !== undefined ? { message: event.data.message } : {}) };
  const task = taskAt(state, tag, id);
  if (!task) return [{ kind: "task", op: "set", tag, key: id, value: { ...newTask(tag, id, event.occurredAt), progress } }];
  return [{ kind: "task", op: "patch", tag, key: id, value: { progress, updatedAt: event.occurredAt } }];
}

function taskRemoved(state: ChannelState, event: EventOf<"task.removed">): Change[] {
  const tag = event.data.tag ?? DEFAULT_TAG;
  const id = normaliseId(event.data.taskId);
  // Removing an unknown task still leaves a tombstone (the caller records the version).
  return taskAt(state, tag, id) ? [{ kind: "task", op: "remove", tag, key: id }] : [];
}

function healthSample(event: EventOf<"health.sample">, ctx: ReducerContext): Change[] {
  const { source, cpu, memory, queueDepth } = event.data;
  const value = {
    at: event.occurredAt,
    ...(cpu !== undefined ? { cpu } : {}),
    ...(memory !== undefined ? { memory } : {}),
    ...(queueDepth !== undefined ? { queueDepth } : {}),
  };
  return [{ kind: "health", op: "append", key: source, value, limit: ctx.healthHistory }];
}

function projectMeta(state: ChannelState, event: EventOf<"project.meta">): Change[] {
  const next: Partial<ChannelState["meta"]> = {};
  if (event.data.name !== undefined) next.name = event.data.name;
  if (event.data.currentTag !== undefined) next.currentTag = event.data.currentTag;
  if (event.data.tags !== undefined) next.tags = event.data.tags.map((t) => (t.description !== undefined ? { name: t.name, description: t.description } : { name: t.name }));
  const patch = changedFields(state.meta, next);
  return Object.keys(patch).length > 0 ? [{ kind: "meta", op: "patch", value: patch }] : [];
}

/** Removes every task the sync does not list, unless it changed after the sync (its version is newer). */
function projectSync(view: ReducerView, event: EventOf<"project.sync">, version: number): { changes: Change[]; tombstones: EntityRef[] } {
  const listed = new Map(event.data.tags.map((t) => [t.tag, new Set(t.taskIds.map(normaliseId))]));
  const changes: Change[] = [];
  const tombstones: EntityRef[] = [];
  for (const [tag, tasks] of Object.entries(view.state.tasks)) {
    const keep = listed.get(tag);
    for (const id of Object.keys(tasks)) {
      if (keep?.has(id)) continue;
      const ref: EntityRef = { kind: "task", tag, id };
      const current = view.versionOf(entityKey(ref));
      if (current !== undefined && current > version) continue;
      changes.push({ kind: "task", op: "remove", tag, key: id });
      tombstones.push(ref);
    }
  }
  return { changes, tombstones };
}
