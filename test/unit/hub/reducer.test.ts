import { describe, expect, it } from "vitest";
import { applyChanges, emptyState, type ChannelState, type HubEvent } from "../../../protocol/index.ts";
import { reduce, type ReducerView } from "../../../worker/channel/reducer.ts";
import { entityKey } from "../../../worker/channel/entity-keys.ts";

const T0 = Date.parse("2026-11-01T10:00:00.000Z");
const iso = (offsetMs: number) => new Date(T0 + offsetMs).toISOString();
const ctx = { nowMs: T0, healthHistory: 3 };

function view(state: ChannelState = emptyState(), versions: Record<string, number> = {}): ReducerView {
  return { state, versionOf: (k) => versions[k] };
}

function event(type: HubEvent["type"], data: unknown, offsetMs = 0): HubEvent {
  return { id: `e-${Math.random()}`, type, occurredAt: iso(offsetMs), data } as HubEvent;
}

/** Runs events through reduce + applyChanges like the channel does, tracking versions. */
function run(events: HubEvent[]) {
  const state = emptyState();
  const versions: Record<string, number> = {};
  const outcomes: string[] = [];
  for (const e of events) {
    const d = reduce(view(state, versions), e, ctx);
    outcomes.push(d.outcome);
    if (d.outcome === "stale") continue;
    applyChanges(state, d.changes);
    versions[entityKey(d.entity)] = d.version;
  }
  return { state, outcomes };
}

describe("reduce", () => {
  it("creates an agent with set, then patches only what changed", () => {
    const s = emptyState();
    const first = reduce(view(s), event("agent.status", { agentId: "a1", name: "Ada", status: "busy", taskId: "3" }), ctx);
    expect(first).toMatchObject({ outcome: "applied", changes: [{ kind: "agent", op: "set", key: "a1" }] });
    applyChanges(s, first.outcome === "stale" ? [] : first.changes);
    expect(s.agents.a1).toEqual({ id: "a1", name: "Ada", status: "busy", taskId: "3", detail: null, lastSeenAt: iso(0), updatedAt: iso(0) });

    const second = reduce(view(s), event("agent.status", { agentId: "a1", status: "idle" }, 1000), { ...ctx, nowMs: T0 + 1000 });
    expect(second.outcome).toBe("applied");
    expect(second.outcome !== "stale" && second.changes).toEqual([
      { kind: "agent", op: "patch", key: "a1", value: { status: "idle", taskId: null, lastSeenAt: iso(1000), updatedAt: iso(1000) } },
    ]);
  });

  it("normalises task and subtask ids to strings and merges fields", () => {
    const { state } = run([
      event("task.upsert", { task: { id: 5, title: "Build", dependencies: [1, "2"], subtasks: [{ id: 1, title: "a" }, { id: "5.2", title: "b", dependencies: [1] }] } }),
      event("task.upsert", { task: { id: "5", status: "in-progress" } }, 10),
    ]);
    const task = state.tasks.master?.["5"];
    expect(task).toMatchObject({ id: "5", tag: "master", title: "Build", status: "in-progress", dependencies: ["1", "2"] });
    expect(task?.subtasks.map((s) => s.id)).toEqual(["5.1", "5.2"]);
    // Inside a subtask a bare number is the sibling, as Task Master reads it (issue 10).
    expect(task?.subtasks[1]?.dependencies).toEqual(["5.1"]);
    expect(task?.subtasks[0]?.status).toBe("pending");
  });

  it("reports an upsert that changes nothing as unchanged, with no changes", () => {
    const e1 = event("task.upsert", { tag: "feat", task: { id: 1, title: "x", status: "done" } });
    const { state } = run([e1]);
    const d = reduce(view(state), event("task.upsert", { tag: "feat", task: { id: "1", title: "x" } }, 5), ctx);
    expect(d).toMatchObject({ outcome: "unchanged", changes: [] });
  });

  it("acknowledges an older event for the same entity as stale", () => {
    const { outcomes, state } = run([
      event("task.upsert", { task: { id: 1, status: "done" } }, 1000),
      event("task.upsert", { task: { id: 1, status: "pending" } }, 500),
    ]);
    expect(outcomes).toEqual(["applied", "stale"]);
    expect(state.tasks.master?.["1"]?.status).toBe("done");
  });

  it("applies an event with the same occurredAt (only strictly older is stale)", () => {
    const { outcomes } = run([event("task.upsert", { task: { id: 1, status: "done" } }, 0), event("task.upsert", { task: { id: 1, status: "review" } }, 0)]);
    expect(outcomes).toEqual(["applied", "applied"]);
  });

  it("keeps a tombstone: a late, older upsert cannot resurrect a removed task; a newer one can", () => {
    const { outcomes, state } = run([
      event("task.upsert", { task: { id: 7, title: "t" } }, 0),
      event("task.removed", { taskId: 7 }, 100),
      event("task.upsert", { task: { id: 7, title: "late" } }, 50),
    ]);
    expect(outcomes).toEqual(["applied", "applied", "stale"]);
    expect(state.tasks.master).toBeUndefined();
    const again = run([event("task.removed", { taskId: 7 }, 100), event("task.upsert", { task: { id: 7, title: "new" } }, 200)]);
    expect(again.outcomes).toEqual(["unchanged", "applied"]);
    expect(again.state.tasks.master?.["7"]?.title).toBe("new");
  });

  it("drops an emptied tag from the state", () => {
    const { state } = run([event("task.upsert", { tag: "a", task: { id: 1 } }), event("task.removed", { tag: "a", taskId: 1 }, 1)]);
    expect(state.tasks).toEqual({});
  });

  it("records progress, creating a task stub when the task is unknown", () => {
    const { state } = run([event("task.progress", { taskId: 9, percent: 40, message: "halfway" })]);
    expect(state.tasks.master?.["9"]).toMatchObject({ id: "9", status: "pending", progress: { percent: 40, message: "halfway", at: iso(0) } });
  });

  it("keeps the last HEALTH_HISTORY samples per source", () => {
    const { state } = run([1, 2, 3, 4, 5].map((n) => event("health.sample", { source: "host", cpu: n * 10 }, n)));
    expect(state.health.host?.map((s) => s.cpu)).toEqual([30, 40, 50]);
  });

  it("a heartbeat brings an offline agent back online and refreshes lastSeenAt", () => {
    const { state } = run([event("agent.status", { agentId: "a", status: "offline" }), event("agent.heartbeat", { agentId: "a" }, 10)]);
    expect(state.agents.a).toMatchObject({ status: "online", updatedAt: iso(10) });
  });

  it("patches project meta only when it changes", () => {
    const { state, outcomes } = run([event("project.meta", { name: "P", currentTag: "master" }), event("project.meta", { currentTag: "master" }, 1)]);
    expect(outcomes).toEqual(["applied", "unchanged"]);
    expect(state.meta).toEqual({ name: "P", currentTag: "master" });
  });
});
