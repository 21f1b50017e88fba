import { describe, expect, it } from "vitest";
import { applyChanges, emptyState, type DeltaFrame, type HubEvent } from "../../../protocol/index.ts";
import { ChannelCore } from "../../../worker/channel/channel-core.ts";
import { MemoryChannelStorage } from "../../fakes/memory-channel-storage.ts";

const T0 = Date.parse("2026-11-01T10:00:00.000Z");
let n = 0;
let clockMs = 0;
/** Each event one second after the last, so no report is stale. */
const e = (type: HubEvent["type"], data: unknown): HubEvent => ({ id: `id-${++n}`, type, occurredAt: new Date(T0 + (clockMs += 1000)).toISOString(), data }) as HubEvent;
const status = (agentId: string, s: string, extra: Record<string, unknown> = {}) => e("agent.status", { agentId, status: s, ...extra });
const upsert = (id: number | string, tag?: string) => e("task.upsert", { ...(tag ? { tag } : {}), task: { id, title: `Task ${id}` } });

function setup(ttlMs = 60_000) {
  const store = new MemoryChannelStorage();
  const core = new ChannelCore(store, { healthHistory: 5, agentTtlMs: ttlMs, newEpoch: () => "EPOCH" });
  const ingest = (...events: HubEvent[]) => core.ingest(events, T0 + clockMs, T0 + clockMs);
  const agentsOf = (id: string, tag = "master") => core.snapshot().state.tasks[tag]?.[id]?.agents;
  /** Replaying every delta from nothing gives the snapshot: the links travel in deltas. */
  const replayed = () => {
    const state = emptyState();
    for (const d of store.deltas) applyChanges(state, (JSON.parse(d.json) as DeltaFrame).changes);
    return state;
  };
  return { store, core, ingest, agentsOf, replayed };
}

describe("the task ↔ agent link", () => {
  it("lists the agents working on a task, moves with them, and leaves on done, idle-without-task and offline", () => {
    const { core, ingest, agentsOf, replayed } = setup();
    ingest(upsert(1), upsert(2));
    ingest(status("a", "busy", { taskId: "1" }));
    expect(agentsOf("1")).toEqual(["a"]);
    ingest(status("b", "busy", { taskId: "1.2" }));
    expect(agentsOf("1")).toEqual(["a", "b"]);
    ingest(status("a", "busy", { taskId: "2" }));
    expect([agentsOf("1"), agentsOf("2")]).toEqual([["b"], ["a"]]);
    ingest(status("a", "idle"));
    expect(agentsOf("2")).toEqual([]);
    ingest(status("b", "offline", { taskId: "1.2" }));
    expect(agentsOf("1")).toEqual([]);
    expect(replayed()).toEqual(core.snapshot().state);
  });

  it("links a task created after the agent reported it, in the task's own delta", () => {
    const { store, ingest, agentsOf } = setup();
    ingest(status("a", "busy", { taskId: "7" }));
    const head = ingest(upsert(7)).head;
    expect(agentsOf("7")).toEqual(["a"]);
    expect(store.deltas).toHaveLength(head);
  });

  it("resolves the tag: taskTag, else the project's current tag, else master", () => {
    const { ingest, agentsOf } = setup();
    ingest(upsert(1), upsert(1, "feature"), e("project.meta", { currentTag: "feature" }));
    ingest(status("a", "busy", { taskId: "1" }));
    expect([agentsOf("1"), agentsOf("1", "feature")]).toEqual([undefined, ["a"]]);
    ingest(status("a", "busy", { taskId: "1", taskTag: "master" }));
    expect([agentsOf("1"), agentsOf("1", "feature")]).toEqual([["a"], []]);
    ingest(status("a", "busy", { taskId: "1" }));
    expect([agentsOf("1"), agentsOf("1", "feature")]).toEqual([[], ["a"]]);
  });

  it("drops an expired agent, brings it back on its heartbeat, and persists the link across a reload", () => {
    const { core, store, ingest, agentsOf, replayed } = setup(5000);
    ingest(upsert(3), status("a", "busy", { taskId: "3" }));
    const expired = core.expireAgents(T0 + clockMs + 10_000);
    expect(expired && (JSON.parse(expired.json) as DeltaFrame).changes).toContainEqual({ kind: "task", op: "patch", tag: "master", key: "3", value: { agents: [] } });
    expect(agentsOf("3")).toEqual([]);
    ingest(e("agent.heartbeat", { agentId: "a" }));
    expect(agentsOf("3")).toEqual(["a"]);
    const reloaded = new ChannelCore(store, { healthHistory: 5, agentTtlMs: 5000 });
    expect(reloaded.snapshot().state).toEqual(core.snapshot().state);
    expect(replayed()).toEqual(core.snapshot().state);
  });

  it("keeps the field off agents that never name a tag", () => {
    const { core, ingest } = setup();
    ingest(status("a", "busy", { taskId: "1" }));
    expect(core.snapshot().state.agents.a).not.toHaveProperty("taskTag");
    ingest(status("a", "busy", { taskId: "1", taskTag: "x" }), status("a", "idle"));
    expect(core.snapshot().state.agents.a?.taskTag).toBeNull();
  });
});
