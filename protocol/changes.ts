/**
 * A delta carries changes; each names the entity kind, its key, and what
 * changed. `applyChange` is the one way state moves forward: the hub and
 * every client use it, so their states cannot drift apart.
 *
 * | kind   | key            | ops                    |
 * |--------|----------------|------------------------|
 * | agent  | agent id       | set, patch, remove     |
 * | task   | tag + task id  | set, patch (+ unset), remove |
 * | health | source         | append (keeps `limit`) |
 * | meta   | —              | patch                  |
 */
import * as v from "valibot";
import { AgentStateSchema, CLEARABLE_TASK_FIELDS, HealthSampleSchema, ProjectMetaSchema, TaskStateSchema, type ChannelState } from "./state.ts";

const key = v.string();

export const ChangeSchema = v.variant("kind", [
  v.variant("op", [
    v.object({ kind: v.literal("agent"), op: v.literal("set"), key, value: AgentStateSchema }),
    v.object({ kind: v.literal("agent"), op: v.literal("patch"), key, value: v.partial(AgentStateSchema) }),
    /** An offline agent past the purge horizon. */
    v.object({ kind: v.literal("agent"), op: v.literal("remove"), key }),
  ]),
  v.variant("op", [
    v.object({ kind: v.literal("task"), op: v.literal("set"), tag: v.string(), key, value: TaskStateSchema }),
    v.object({
      kind: v.literal("task"),
      op: v.literal("patch"),
      tag: v.string(),
      key,
      value: v.partial(TaskStateSchema),
      /** Fields the patch removes from the task (a `task.upsert` that cleared them with null). */
      unset: v.optional(v.array(v.picklist(CLEARABLE_TASK_FIELDS))),
    }),
    v.object({ kind: v.literal("task"), op: v.literal("remove"), tag: v.string(), key }),
  ]),
  v.object({ kind: v.literal("health"), op: v.literal("append"), key, value: HealthSampleSchema, limit: v.pipe(v.number(), v.integer(), v.minValue(1)) }),
  v.object({ kind: v.literal("meta"), op: v.literal("patch"), value: v.partial(ProjectMetaSchema) }),
]);

export type Change = v.InferOutput<typeof ChangeSchema>;

/** A change that does not fit the state it is applied to: the client missed something and must resync. */
export class ChangeConflictError extends Error {
  constructor(readonly change: Change, reason: string) {
    super(`cannot apply ${change.kind} ${change.op}${"key" in change ? ` ${change.key}` : ""}: ${reason}`);
    this.name = "ChangeConflictError";
  }
}

/**
 * An own entry of a record, or undefined. Ids such as "constructor" or "toString" are valid
 * names: a plain lookup would find Object.prototype's member instead of "no such entity".
 */
export function ownEntry<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** The own entry under `key`, created first if absent (the `??=` that ignores the prototype). */
export function ensureOwnEntry<T>(record: Record<string, T>, key: string, create: () => NoInfer<T>): T {
  return ownEntry(record, key) ?? (record[key] = create());
}

/** Applies one change in place. Values are copied, so the caller may reuse them. */
export function applyChange(state: ChannelState, change: Change): void {
  switch (change.kind) {
    case "agent": {
      if (change.op === "set") {
        state.agents[change.key] = clone(change.value);
        return;
      }
      const agent = ownEntry(state.agents, change.key);
      if (!agent) throw new ChangeConflictError(change, "no such agent");
      if (change.op === "remove") delete state.agents[change.key];
      else Object.assign(agent, clone(change.value));
      return;
    }
    case "task": {
      const tasks = ownEntry(state.tasks, change.tag);
      if (change.op === "set") {
        ensureOwnEntry(state.tasks, change.tag, () => ({}))[change.key] = clone(change.value);
        return;
      }
      const task = tasks && ownEntry(tasks, change.key);
      if (!tasks || !task) throw new ChangeConflictError(change, "no such task");
      if (change.op === "patch") {
        Object.assign(task, clone(change.value));
        for (const field of change.unset ?? []) delete task[field];
        return;
      }
      delete tasks[change.key];
      if (Object.keys(tasks).length === 0) delete state.tasks[change.tag];
      return;
    }
    case "health": {
      const samples = ensureOwnEntry(state.health, change.key, () => []);
      samples.push(clone(change.value));
      if (samples.length > change.limit) samples.splice(0, samples.length - change.limit);
      return;
    }
    case "meta": {
      Object.assign(state.meta, clone(change.value));
      return;
    }
  }
}

export function applyChanges(state: ChannelState, changes: readonly Change[]): void {
  for (const change of changes) applyChange(state, change);
}

function clone<T>(value: T): T {
  return structuredClone(value);
}
