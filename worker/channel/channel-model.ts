/** The channel's state and entity versions, held in memory while the object is awake. */
import { applyChanges, emptyState, ensureOwnEntry, ownEntry, type AgentState, type Change, type ChannelState, type TaskState } from "../../protocol/index.ts";
import { entityKey, type EntityRef } from "./entity-keys.ts";
import type { ReducerView } from "./reducer.ts";
import type { ChannelStorage, StoredEntity } from "./storage.ts";

export class ChannelModel implements ReducerView {
  readonly state: ChannelState = emptyState();
  readonly #versions = new Map<string, number>();

  static load(storage: ChannelStorage): ChannelModel {
    const model = new ChannelModel();
    for (const row of storage.entities()) {
      model.#versions.set(row.key, row.version);
      if (row.value === null) continue;
      if (row.key.startsWith("agent/")) {
        const agent = row.value as AgentState;
        model.state.agents[agent.id] = agent;
      } else if (row.key.startsWith("task/")) {
        const task = row.value as TaskState;
        ensureOwnEntry(model.state.tasks, task.tag, () => ({}))[task.id] = task;
      } else if (row.key === "meta") {
        Object.assign(model.state.meta, row.value);
      }
    }
    for (const { source, sample } of storage.healthSamples()) ensureOwnEntry(model.state.health, source, () => []).push(sample);
    return model;
  }

  versionOf(key: string): number | undefined {
    return this.#versions.get(key);
  }

  apply(changes: readonly Change[]): void {
    applyChanges(this.state, changes);
  }

  /** Records a new version and returns the row to persist (null value = tombstone). */
  stamp(ref: EntityRef, version: number): StoredEntity {
    const key = entityKey(ref);
    this.#versions.set(key, version);
    return { key, version, value: this.valueOf(ref) };
  }

  /** The row for an entity whose value changed without a new version (agent expiry). */
  row(ref: EntityRef): StoredEntity {
    const key = entityKey(ref);
    return { key, version: this.#versions.get(key) ?? 0, value: this.valueOf(ref) };
  }

  valueOf(ref: EntityRef): unknown {
    switch (ref.kind) {
      case "agent":
        return ownEntry(this.state.agents, ref.id) ?? null;
      case "task":
        return ownEntry(ownEntry(this.state.tasks, ref.tag) ?? {}, ref.id) ?? null;
      case "health":
      case "sync":
        return {}; // health samples live in their own table; a sync has only its version
      case "meta":
        return this.state.meta;
    }
  }
}
