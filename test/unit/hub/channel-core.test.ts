import { describe, expect, it } from "vitest";
import { applyChanges, emptyState, type DeltaFrame, type HubEvent } from "../../../protocol/index.ts";
import { ChannelCore } from "../../../worker/channel/channel-core.ts";
import { MemoryChannelStorage } from "../../fakes/memory-channel-storage.ts";

const T0 = Date.parse("2026-11-01T10:00:00.000Z");
let n = 0;
const e = (type: HubEvent["type"], data: unknown, offsetMs = 0, id = `id-${++n}`): HubEvent =>
  ({ id, type, occurredAt: new Date(T0 + offsetMs).toISOString(), data }) as HubEvent;

function core(store = new MemoryChannelStorage(), ttlMs = 60_000) {
  return { store, core: new ChannelCore(store, { healthHistory: 5, agentTtlMs: ttlMs, newEpoch: () => "EPOCH" }) };
}
const frames = (store: MemoryChannelStorage) => store.deltas.map((d) => JSON.parse(d.json) as DeltaFrame);

describe("ChannelCore.ingest", () => {
  it("numbers deltas +1 from 1 and reports the head", () => {
    const { core: c, store } = core();
    const r = c.ingest([e("agent.status", { agentId: "a", status: "busy" }), e("task.upsert", { task: { id: 1 } })], T0, T0);
    expect(r).toMatchObject({ accepted: 2, duplicates: 0, stale: 0, head: 2 });
    expect(frames(store).map((f) => [f.seq, f.epoch, f.cause?.type])).toEqual([
      [1, "EPOCH", "agent.status"],
      [2, "EPOCH", "task.upsert"],
    ]);
    c.ingest([e("task.upsert", { task: { id: 2 } })], T0, T0);
    expect(c.head).toBe(3);
  });

  it("de-duplicates by event id, across and within requests", () => {
    const { core: c } = core();
    const first = e("task.upsert", { task: { id: 1, title: "a" } }, 0, "dup");
    expect(c.ingest([first, first], T0, T0)).toMatchObject({ accepted: 1, duplicates: 1, head: 1 });
    expect(c.ingest([first], T0, T0)).toMatchObject({ accepted: 0, duplicates: 1, head: 1 });
  });

  it("counts stale events and emits no delta for them or for unchanged events", () => {
    const { core: c, store } = core();
    c.ingest([e("task.upsert", { task: { id: 1, status: "done" } }, 100)], T0, T0);
    const r = c.ingest([e("task.upsert", { task: { id: 1, status: "pending" } }, 50), e("task.upsert", { task: { id: 1, status: "done" } }, 200)], T0, T0);
    expect(r).toMatchObject({ accepted: 1, stale: 1, head: 1 });
    expect(store.counters()).toMatchObject({ eventsAccepted: 2, eventsStale: 1 });
  });

  it("survives a restart: state, versions and tombstones are reloaded from the store", () => {
    const { core: c, store } = core();
    c.ingest([e("task.upsert", { task: { id: 1 } }, 0), e("task.removed", { taskId: 1 }, 100), e("health.sample", { source: "h", cpu: 1 }, 0)], T0, T0);
    const reborn = new ChannelCore(store, { healthHistory: 5, agentTtlMs: 60_000 });
    expect(reborn.epoch).toBe("EPOCH");
    expect(reborn.head).toBe(c.head);
    expect(reborn.ingest([e("task.upsert", { task: { id: 1 } }, 50)], T0, T0)).toMatchObject({ stale: 1 });
    expect(reborn.snapshot().state).toEqual(c.snapshot().state);
  });

  it("keeps the in-memory state consistent with the store when a commit fails", () => {
    const { core: c, store } = core();
    c.ingest([e("task.upsert", { task: { id: 1, title: "kept" } })], T0, T0);
    store.failNextCommit = true;
    expect(() => c.ingest([e("task.upsert", { task: { id: 1, title: "lost" } }, 10)], T0, T0)).toThrow("simulated");
    expect(c.head).toBe(1);
    expect(c.snapshot().state.tasks.master?.["1"]?.title).toBe("kept");
    expect(c.ingest([e("task.upsert", { task: { id: 1, title: "next" } }, 20)], T0, T0).head).toBe(2);
  });

  it("any client applying every delta to an empty state ends equal to the snapshot", () => {
    const { core: c, store } = core();
    let seed = 7;
    const rand = (k: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % k);
    const batches: HubEvent[][] = [];
    for (let b = 0; b < 40; b++) {
      const batch: HubEvent[] = [];
      for (let i = 0; i < 10; i++) {
        const t = rand(5000);
        const id = rand(8);
        switch (rand(6)) {
          case 0: batch.push(e("task.upsert", { tag: rand(2) ? "master" : "x", task: { id, title: `t${rand(3)}`, status: ["pending", "done", "in-progress"][rand(3)], subtasks: [{ id: 1 }] } }, t)); break;
          case 1: batch.push(e("task.removed", { tag: rand(2) ? "master" : "x", taskId: id }, t)); break;
          case 2: batch.push(e("task.progress", { taskId: id, percent: rand(101) }, t)); break;
          case 3: batch.push(e("agent.status", { agentId: `a${rand(3)}`, status: ["busy", "idle", "online"][rand(3)] }, t)); break;
          case 4: batch.push(e("health.sample", { source: `s${rand(2)}`, cpu: rand(100) }, t)); break;
          default: batch.push(e("project.meta", { currentTag: rand(2) ? "master" : "x" }, t));
        }
      }
      batches.push(batch);
    }
    for (const batch of batches) c.ingest(batch, T0, T0 + 1);
    const client = emptyState();
    const seqs: number[] = [];
    for (const f of frames(store)) {
      seqs.push(f.seq);
      applyChanges(client, f.changes);
    }
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(client).toEqual(JSON.parse(JSON.stringify(c.snapshot().state)));
  });
});

describe("ChannelCore agents and retention", () => {
  it("expires quiet agents into one delta, and an agent's next event still applies", () => {
    const { core: c, store } = core(new MemoryChannelStorage(), 60_000);
    c.ingest([e("agent.status", { agentId: "a", status: "busy" }), e("agent.status", { agentId: "b", status: "offline" })], T0, T0);
    c.ingest([e("agent.heartbeat", { agentId: "c" })], T0, T0 + 30_000);
    expect(c.nextAlarmAt(T0)).toBe(T0 + 60_000);
    expect(c.expireAgents(T0 + 59_999)).toBeNull();
    const delta = c.expireAgents(T0 + 60_000);
    expect(JSON.parse(delta!.json)).toMatchObject({ seq: 4, cause: { type: "agent.expired" }, changes: [{ kind: "agent", key: "a", op: "patch", value: { status: "offline" } }] });
    expect(c.snapshot().state.agents.a?.status).toBe("offline");
    expect(c.snapshot().state.agents.c?.status).toBe("online");
    // The stored row changed too: a restarted object sees the agent offline.
    expect(new ChannelCore(store, { healthHistory: 5, agentTtlMs: 60_000 }).snapshot().state.agents.a?.status).toBe("offline");
    expect(c.ingest([e("agent.heartbeat", { agentId: "a" }, 1)], T0, T0 + 61_000)).toMatchObject({ accepted: 1, stale: 0 });
    expect(c.snapshot().state.agents.a?.status).toBe("online");
  });

  it("keeps whichever is more: the newest 10,000 deltas or the last 24 h", () => {
    const { core: c, store } = core();
    const day = 24 * 60 * 60 * 1000;
    for (let i = 0; i < 24; i++) {
      c.ingest(Array.from({ length: 500 }, (_, k) => e("health.sample", { source: "h", cpu: k % 100 }, i * 500 + k)), T0, T0 + (i < 4 ? 0 : day));
    }
    expect(c.head).toBe(12_000);
    c.trim(T0 + day - 1); // all 12,000 are younger than 24 h: all stay
    expect(store.deltas.length).toBe(12_000);
    c.trim(T0 + day + 1); // the first 2,000 are older than 24 h and beyond the newest 10,000
    expect(c.position()).toEqual({ epoch: "EPOCH", head: 12_000, oldest: 2_001 });
    c.trim(T0 + 3 * day); // now all are old: the newest 10,000 still stay
    expect(c.position().oldest).toBe(2_001);
    expect(c.planReplay({ since: 1999, epoch: "EPOCH" })).toEqual({ mode: "snapshot", reason: "too-old" });
    expect(c.planReplay({ since: 2000, epoch: "EPOCH" })).toMatchObject({ mode: "replay" });
  });

  it("forgets event ids after 24 h, not before", () => {
    const { core: c, store } = core();
    c.ingest([e("task.upsert", { task: { id: 1 } }, 0, "old")], T0, T0);
    c.trim(T0 + 24 * 60 * 60 * 1000 - 1);
    expect(store.knownEvents(["old"]).has("old")).toBe(true);
    c.trim(T0 + 24 * 60 * 60 * 1000 + 1);
    expect(store.knownEvents(["old"]).has("old")).toBe(false);
  });
});

describe("ChannelCore: a channel exists once it accepted an event", () => {
  it("reads of a new channel write nothing; the epoch shown then is the one persisted by the first event", () => {
    const store = new MemoryChannelStorage();
    const c = new ChannelCore(store, { healthHistory: 5, agentTtlMs: 60_000, newEpoch: () => "SHOWN" });
    expect(c.exists).toBe(false);
    expect(c.snapshot()).toStrictEqual({ epoch: "SHOWN", seq: 0, state: emptyState() });
    expect(c.planReplay({ since: 0, epoch: "SHOWN" })).toStrictEqual({ mode: "replay", after: 0, head: 0 });
    c.addCounters({ framesOut: 1 });
    c.raiseCounter("peakConnections", 3);
    expect(store.exists()).toBe(false);

    c.ingest([e("project.meta", { name: "n" })], T0, T0);
    expect(c.exists).toBe(true);
    expect(store.getMeta("epoch")).toBe("SHOWN");
    expect(new ChannelCore(store, { healthHistory: 5, agentTtlMs: 60_000, newEpoch: () => "OTHER" }).epoch).toBe("SHOWN");
  });

  it("a batch with nothing accepted leaves a new channel nonexistent", () => {
    const { core: c, store } = core();
    const ancient = T0 - 31 * 24 * 60 * 60 * 1000;
    expect(c.ingest([e("project.meta", { name: "old" }, ancient - T0)], T0, T0)).toMatchObject({ accepted: 0, stale: 1, head: 0 });
    expect(c.exists).toBe(false);
    expect(store.exists()).toBe(false);
  });
});

describe("ChannelCore purge horizon", () => {
  const DAY = 24 * 60 * 60 * 1000;

  it("acknowledges an event older than the horizon as stale", () => {
    const store = new MemoryChannelStorage();
    const c = new ChannelCore(store, { healthHistory: 5, agentTtlMs: 60_000, purgeAfterMs: 10 * DAY, newEpoch: () => "EPOCH" });
    c.ingest([e("project.meta", { name: "now" })], T0, T0);
    expect(c.ingest([e("task.upsert", { task: { id: 1 } }, -10 * DAY - 1)], T0, T0)).toMatchObject({ accepted: 0, stale: 1 });
    expect(c.ingest([e("task.upsert", { task: { id: 1 } }, -10 * DAY)], T0, T0)).toMatchObject({ accepted: 1, stale: 0 });
  });

  it("removes offline agents past the horizon as a delta every client applies, and drops old tombstones", () => {
    const store = new MemoryChannelStorage();
    const c = new ChannelCore(store, { healthHistory: 5, agentTtlMs: 60_000, purgeAfterMs: 10 * DAY, newEpoch: () => "EPOCH" });
    c.ingest([e("agent.status", { agentId: "gone", status: "offline" }), e("agent.status", { agentId: "busy", status: "busy" })], T0, T0);
    c.ingest([e("task.upsert", { task: { id: 7 } }), e("task.removed", { taskId: 7 }, 1)], T0, T0);
    const client = emptyState();
    for (const f of frames(store)) applyChanges(client, f.changes);

    expect(c.purge(T0 + 10 * DAY)).toBeNull();
    const delta = c.purge(T0 + 10 * DAY + 2);
    const frame = JSON.parse(delta!.json) as DeltaFrame;
    expect(frame).toMatchObject({ seq: c.head, cause: { type: "agent.purged" }, changes: [{ kind: "agent", op: "remove", key: "gone" }] });
    applyChanges(client, frame.changes);
    expect(client).toStrictEqual(c.snapshot().state);
    expect(Object.keys(c.snapshot().state.agents)).toStrictEqual(["busy"]);
    // The agent's removal and the task's tombstone are older than the horizon: no rows left for either.
    expect([...store.entityRows.keys()].filter((k) => k.includes("gone") || k.includes("/7"))).toStrictEqual([]);
    // A restarted object agrees.
    expect(new ChannelCore(store, { healthHistory: 5, agentTtlMs: 60_000 }).snapshot().state).toStrictEqual(c.snapshot().state);
  });
});
