/**
 * Applies a delta's changes without touching the state the UI is showing:
 * every container a change writes to is copied first (structural sharing),
 * then protocol's `applyChange` runs on the copy. If a change conflicts, the
 * copy is dropped and the shown state has no half-applied delta. New object
 * identities also tell a reactive UI exactly what changed.
 */
import { applyChange, type Change, type ChannelState } from "../../../../protocol/index.ts";

/** The next state after `changes`; `base` is never modified. Throws ChangeConflictError like applyChange. */
export function applyChangesCopyOnWrite(base: ChannelState, changes: readonly Change[]): ChannelState {
  const next: ChannelState = { meta: base.meta, agents: base.agents, tasks: base.tasks, health: base.health };
  const owned = new WeakSet<object>();
  const own = <T extends object>(value: T): T => {
    if (owned.has(value)) return value;
    const copy = (Array.isArray(value) ? [...value] : { ...value }) as T;
    owned.add(copy);
    return copy;
  };
  // Own entries only: "constructor" is a valid agent id, and a plain lookup would find Object.prototype's.
  const entry = <T>(record: Record<string, T>, key: string): T | undefined => (Object.hasOwn(record, key) ? record[key] : undefined);
  for (const change of changes) {
    switch (change.kind) {
      case "agent": {
        next.agents = own(next.agents);
        const agent = entry(next.agents, change.key);
        if (agent) next.agents[change.key] = own(agent);
        break;
      }
      case "task": {
        next.tasks = own(next.tasks);
        const tag = entry(next.tasks, change.tag);
        if (tag) {
          const tagCopy = (next.tasks[change.tag] = own(tag));
          const task = entry(tagCopy, change.key);
          if (task) tagCopy[change.key] = own(task);
        }
        break;
      }
      case "health": {
        next.health = own(next.health);
        const samples = entry(next.health, change.key);
        if (samples) next.health[change.key] = own(samples);
        break;
      }
      case "meta":
        next.meta = own(next.meta);
        break;
    }
    // Only the copied containers (and fresh ones it creates) are written to.
    applyChange(next, change);
  }
  return next;
}
