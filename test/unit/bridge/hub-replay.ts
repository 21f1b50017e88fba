/** The hub's real reducer, driven in memory, to check what the bridge's events do on the hub. */
import * as v from "valibot";
import { applyChanges, emptyState, EventSchema, type Change, type ChannelState, type HubEvent } from "../../../protocol/index.ts";
import { entityKey } from "../../../worker/channel/entity-keys.ts";
import { reduce } from "../../../worker/channel/reducer.ts";

export { applyChanges, emptyState, type ChannelState, type HubEvent };

export function validateAndParse(input: unknown): HubEvent {
  return v.parse(EventSchema, input);
}

/** One event through the hub's reducer; returns the changes (stale → none) and records the entity version. */
export function reduceOnHub(hub: { state: ChannelState; versions: Map<string, number> }, event: HubEvent): Change[] {
  const decision = reduce({ state: hub.state, versionOf: (k) => hub.versions.get(k) }, event, { nowMs: Date.parse(event.occurredAt), healthHistory: 10 });
  if (decision.outcome === "stale") return [];
  hub.versions.set(entityKey(decision.entity), decision.version);
  return decision.changes;
}
