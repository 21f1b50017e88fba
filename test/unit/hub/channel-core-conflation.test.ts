/** ChannelCore with a conflation window: fewer deltas, one seq each, and the log still replays to the snapshot. */
import { describe, expect, it } from "vitest";
import { applyChanges, emptyState, type DeltaFrame, type HubEvent } from "../../../protocol/index.ts";
import { ChannelCore } from "../../../worker/channel/channel-core.ts";
import { MemoryChannelStorage } from "../../fakes/memory-channel-storage.ts";

const T0 = Date.parse("2026-11-01T10:00:00.000Z");
let n = 0;
const e = (type: HubEvent["type"], data: unknown, offsetMs = 0): HubEvent => ({ id: `id-${++n}`, type, occurredAt: new Date(T0 + offsetMs).toISOString(), data }) as HubEvent;
const progress = (percent: number, offsetMs: number) => e("task.progress", { taskId: 1, percent }, offsetMs);

const options = { healthHistory: 50, agentTtlMs: 60_000, newEpoch: () => "EPOCH", coalesceMs: 100 };
const frames = (store: MemoryChannelStorage) => store.deltas.map((d) => JSON.parse(d.json) as DeltaFrame);

function replayed(store: MemoryChannelStorage) {
  const state = emptyState();
  for (const f of frames(store)) applyChanges(state, f.changes);
  return state;
}

function withTask() {
  const store = new MemoryChannelStorage();
  const core = new ChannelCore(store, options);
  core.ingest([e("task.upsert", { task: { id: 1, title: "One" } })], T0, T0);
  return { store, core };
}

describe("ChannelCore with COALESCE_MS", () => {
  it("sends the first progress at once, holds the rest of the window, and sends them as one delta when due", () => {
    const { store, core } = withTask();
    const first = core.ingest([progress(1, 1)], T0, T0 + 1);
    expect(first.deltas.map((d) => d.seq)).toEqual([2]);
    const held = core.ingest([progress(2, 2), progress(3, 3), progress(4, 4)], T0, T0 + 50);
    expect(held).toMatchObject({ accepted: 3, head: 2, deltas: [] });
    // The state holds them already, and so does the storage (an eviction loses nothing).
    expect(core.snapshot().state.tasks.master?.["1"]?.progress?.percent).toBe(4);
    expect(JSON.parse(store.meta.get("pending")!)).toHaveLength(1);
    expect(core.flushDue(T0 + 100)).toEqual([]);
    const [merged] = core.flushDue(T0 + 101);
    expect(merged!.seq).toBe(3);
    expect(JSON.parse(merged!.json)).toMatchObject({ seq: 3, cause: { type: "task.progress", merged: 3 }, changes: [{ kind: "task", op: "patch", value: { progress: { percent: 4 } } }] });
    expect(store.meta.has("pending")).toBe(false);
    expect(replayed(store)).toEqual(core.snapshot().state);
  });

  it("sends what is held before a status change, in the same commit and order", () => {
    const { store, core } = withTask();
    core.ingest([progress(10, 1), progress(20, 2)], T0, T0 + 1);
    const r = core.ingest([progress(30, 3), e("task.upsert", { task: { id: 1, status: "done" } }, 4)], T0, T0 + 5);
    expect(r.deltas.map((d) => JSON.parse(d.json).cause)).toEqual([
      expect.objectContaining({ type: "task.progress", merged: 2 }),
      expect.objectContaining({ type: "task.upsert" }),
    ]);
    expect(frames(store).map((f) => f.seq)).toEqual([1, 2, 3, 4]);
    expect(core.flushAll(T0 + 6)).toEqual([]);
    expect(replayed(store)).toEqual(core.snapshot().state);
  });

  it("keeps every health sample of a window in the one merged delta", () => {
    const store = new MemoryChannelStorage();
    const core = new ChannelCore(store, options);
    const samples = Array.from({ length: 10 }, (_, i) => e("health.sample", { source: "h", cpu: i }, i));
    core.ingest(samples, T0, T0);
    const [merged] = core.flushAll(T0 + 10);
    expect(JSON.parse(merged!.json).changes.map((c: { value: { cpu: number } }) => c.value.cpu)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(replayed(store).health).toEqual(core.snapshot().state.health);
    expect(core.snapshot().state.health.h).toHaveLength(10);
  });

  it("reads held updates back after a restart and sends them when due", () => {
    const { store, core } = withTask();
    core.ingest([progress(1, 1), progress(2, 2)], T0, T0 + 1);
    const reborn = new ChannelCore(store, options);
    expect(reborn.nextAlarmAt(T0 + 2)).toBe(T0 + 101);
    const [merged] = reborn.flushDue(T0 + 101);
    expect(JSON.parse(merged!.json)).toMatchObject({ seq: 3, changes: [{ value: { progress: { percent: 2 } } }] });
    expect(replayed(store)).toEqual(reborn.snapshot().state);
  });

  it("a failed commit drops nothing that was held before it", () => {
    const { store, core } = withTask();
    core.ingest([progress(1, 1), progress(2, 2)], T0, T0 + 1);
    store.failNextCommit = true;
    expect(() => core.ingest([progress(3, 3)], T0, T0 + 3)).toThrow("simulated");
    const [merged] = core.flushAll(T0 + 4);
    expect(JSON.parse(merged!.json)).toMatchObject({ seq: 3, changes: [{ value: { progress: { percent: 2 } } }] });
  });

  it("sends a heartbeat that brings an agent back online at once", () => {
    const store = new MemoryChannelStorage();
    const core = new ChannelCore(store, options);
    core.ingest([e("agent.heartbeat", { agentId: "a" }, 0)], T0, T0);
    core.ingest([e("agent.heartbeat", { agentId: "a" }, 10), e("agent.heartbeat", { agentId: "a" }, 15)], T0, T0 + 10);
    // The first (a new agent) and the first refresh went out at once; the second refresh is held.
    expect(core.head).toBe(2);
    core.flushAll(T0 + 20);
    const expired = core.expireAgents(T0 + 20 + 60_000);
    expect(expired).not.toBeNull();
    const back = core.ingest([e("agent.heartbeat", { agentId: "a" }, 60_030)], T0, T0 + 60_030);
    expect(back.deltas).toHaveLength(1);
    expect(replayed(store)).toEqual(core.snapshot().state);
  });
});
