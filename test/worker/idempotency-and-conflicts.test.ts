/**
 * De-duplication by event id, the per-entity occurredAt version (stale
 * events), and tombstones: what the 202 says, what the state shows, and
 * which deltas a viewer sees.
 */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { EVENT_ID_RETENTION_MS, type HubEventInput } from "../../protocol/index.ts";
import { ev } from "../../dev/events.ts";
import { channelObject, hub, metrics, send, snapshot, uniqueChannel } from "./support/hub.ts";
import { SocketProbe, settle } from "./support/socket-probe.ts";

const T0 = Date.now() - 60_000;
const iso = (offsetMs: number) => new Date(T0 + offsetMs).toISOString();

afterEach(() => SocketProbe.closeAll());

async function deltasCount(channel: string): Promise<number> {
  return runInDurableObject(channelObject(channel), (_instance, state) => state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM deltas").one().n);
}

describe("idempotency by event id", () => {
  it("a repeated event id is acknowledged as a duplicate and changes nothing", async () => {
    const channel = uniqueChannel("dup");
    const event = ev.agentStatus("a1", "busy", { taskId: "3", id: "evt-1" });
    expect(await send(channel, event)).toStrictEqual({ accepted: 1, duplicates: 0, stale: 0, head: 1 });
    const before = await snapshot(channel);
    const viewer = await SocketProbe.open(channel, { ticket: await hub.viewerTicket(), since: 1, epoch: before.epoch });
    await viewer.waitForFrames(1);

    expect(await send(channel, event)).toStrictEqual({ accepted: 0, duplicates: 1, stale: 0, head: 1 });
    // Same id, other content (a retry that was rebuilt): still the same event.
    const rebuilt = ev.agentStatus("a1", "error", { id: "evt-1", occurredAt: iso(120_000) });
    expect(await send(channel, rebuilt)).toStrictEqual({ accepted: 0, duplicates: 1, stale: 0, head: 1 });

    expect(await snapshot(channel)).toStrictEqual(before);
    await settle();
    expect(viewer.frames.map((f) => f.type)).toStrictEqual(["hello"]);
    expect((await metrics(channel)).events).toStrictEqual({ accepted: 1, duplicate: 2, stale: 0, rejected: 0 });
  });

  it("counts duplicates inside one batch and against earlier batches", async () => {
    const channel = uniqueChannel("dup-batch");
    const a = ev.taskUpsert({ id: 1, title: "A" });
    const b = ev.taskUpsert({ id: 2, title: "B" });
    expect(await send(channel, a, a, b)).toStrictEqual({ accepted: 2, duplicates: 1, stale: 0, head: 2 });
    const c = ev.taskUpsert({ id: 3, title: "C" });
    expect(await send(channel, b, c, a)).toStrictEqual({ accepted: 1, duplicates: 2, stale: 0, head: 3 });
    const snap = await snapshot(channel);
    expect(Object.keys(snap.state.tasks.master ?? {}).sort()).toStrictEqual(["1", "2", "3"]);
    expect(await deltasCount(channel)).toBe(3);
  });

  it("parallel retries of one event are applied exactly once", async () => {
    const channel = uniqueChannel("dup-race");
    const event = ev.taskProgress(4, 40);
    const results = await Promise.all(Array.from({ length: 12 }, () => send(channel, event)));
    expect(results.filter((r) => r.accepted === 1)).toHaveLength(1);
    expect(results.filter((r) => r.duplicates === 1)).toHaveLength(11);
    expect(results.every((r) => r.head === 1)).toBe(true);
    expect(await deltasCount(channel)).toBe(1);
  });

  it("remembers event ids across an eviction of the object", async () => {
    const channel = uniqueChannel("dup-evict");
    const event = ev.meta({ name: "before" });
    await send(channel, event);
    await evictDurableObject(channelObject(channel));
    expect(await send(channel, event)).toStrictEqual({ accepted: 0, duplicates: 1, stale: 0, head: 1 });
  });

  it("keeps event ids for at least 24 h through the alarm's trimming, and forgets them after", async () => {
    const channel = uniqueChannel("dup-retention");
    const young = ev.meta({ name: "young" }, iso(0));
    const old = ev.meta({ currentTag: "old" }, iso(0));
    await send(channel, young);
    await send(channel, old);
    const stub = channelObject(channel);
    const now = Date.now();
    await runInDurableObject(stub, (_i, state) => {
      state.storage.sql.exec("UPDATE event_ids SET at = ? WHERE id = ?", now - EVENT_ID_RETENTION_MS + 3_600_000, young.id);
      state.storage.sql.exec("UPDATE event_ids SET at = ? WHERE id = ?", now - EVENT_ID_RETENTION_MS - 3_600_000, old.id);
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);

    const ids = await runInDurableObject(stub, (_i, state) => state.storage.sql.exec<{ id: string }>("SELECT id FROM event_ids ORDER BY id").toArray().map((r) => r.id));
    expect(ids).toStrictEqual([young.id]);
    expect(await send(channel, young)).toMatchObject({ duplicates: 1 });
    // Forgotten, so no longer a duplicate; its version equals the stored one, so it applies with no visible change.
    expect(await send(channel, old)).toStrictEqual({ accepted: 1, duplicates: 0, stale: 0, head: 2 });
  });
});

describe("conflicts: the per-entity occurredAt version", () => {
  it("an older event for an entity is stale; newer and equal ones apply", async () => {
    const channel = uniqueChannel("stale");
    expect(await send(channel, ev.agentStatus("a1", "busy", { taskId: "1", occurredAt: iso(10_000) }))).toMatchObject({ accepted: 1, head: 1 });
    const before = await snapshot(channel);

    expect(await send(channel, ev.agentStatus("a1", "idle", { occurredAt: iso(9_999) }))).toStrictEqual({ accepted: 0, duplicates: 0, stale: 1, head: 1 });
    expect(await send(channel, ev.heartbeat("a1", iso(5_000)))).toStrictEqual({ accepted: 0, duplicates: 0, stale: 1, head: 1 });
    expect(await snapshot(channel)).toStrictEqual(before);

    // Another entity is independent of a1's version.
    expect(await send(channel, ev.agentStatus("a2", "idle", { occurredAt: iso(0) }))).toMatchObject({ accepted: 1, stale: 0, head: 2 });
    // Equal occurredAt is not older: it applies.
    expect(await send(channel, ev.agentStatus("a1", "error", { occurredAt: iso(10_000), detail: "disk full" }))).toMatchObject({ accepted: 1, head: 3 });
    const after = await snapshot(channel);
    expect(after.state.agents.a1).toMatchObject({ status: "error", taskId: null, detail: "disk full", updatedAt: iso(10_000) });
    expect((await metrics(channel)).events).toMatchObject({ accepted: 3, stale: 2 });
  });

  it("order inside a batch does not matter: the older of two is stale either way", async () => {
    const channel = uniqueChannel("stale-batch");
    const newer = ev.taskUpsert({ id: 5, status: "done" }, { occurredAt: iso(2_000) });
    const older = ev.taskUpsert({ id: 5, status: "in-progress" }, { occurredAt: iso(1_000) });
    expect(await send(channel, newer, older)).toStrictEqual({ accepted: 1, duplicates: 0, stale: 1, head: 1 });
    expect((await snapshot(channel)).state.tasks.master?.["5"]?.status).toBe("done");
  });

  it("stale health samples and project meta are dropped too", async () => {
    const channel = uniqueChannel("stale-misc");
    await send(channel, ev.health("runner", { cpu: 50 }, iso(1_000)), ev.meta({ name: "new" }, iso(1_000)));
    expect(await send(channel, ev.health("runner", { cpu: 99 }, iso(0)), ev.meta({ name: "old" }, iso(0)))).toStrictEqual({
      accepted: 0,
      duplicates: 0,
      stale: 2,
      head: 2,
    });
    const { state } = await snapshot(channel);
    expect(state.health.runner).toStrictEqual([{ at: iso(1_000), cpu: 50 }]);
    expect(state.meta).toStrictEqual({ name: "new" });
  });

  it("an event that changes nothing visible is accepted without a delta", async () => {
    const channel = uniqueChannel("unchanged");
    await send(channel, ev.taskUpsert({ id: 1, title: "Same", status: "pending" }, { occurredAt: iso(0) }));
    expect(await send(channel, ev.taskUpsert({ id: 1, title: "Same" }, { occurredAt: iso(1_000) }))).toStrictEqual({ accepted: 1, duplicates: 0, stale: 0, head: 1 });
    expect(await deltasCount(channel)).toBe(1);
    // Its version still moved forward: something in between is now stale.
    expect(await send(channel, ev.taskUpsert({ id: 1, title: "Between" }, { occurredAt: iso(500) }))).toMatchObject({ stale: 1, head: 1 });
  });
});

describe("tombstones", () => {
  const removedSequence = (tag?: string): HubEventInput[] => [
    ev.taskUpsert({ id: 7, title: "Seven", status: "in-progress" }, { occurredAt: iso(0), ...(tag ? { tag } : {}) }),
    ev.taskRemoved(7, { occurredAt: iso(2_000), ...(tag ? { tag } : {}) }),
  ];

  it("a late, older upsert or progress cannot resurrect a removed task; a newer upsert can", async () => {
    const channel = uniqueChannel("tomb");
    const before = await snapshot(channel);
    const viewer = await SocketProbe.open(channel, { ticket: await hub.viewerTicket(), since: 0, epoch: before.epoch });
    expect(await send(channel, ...removedSequence("feature"))).toMatchObject({ accepted: 2, head: 2 });
    const removal = await viewer.waitForSeq(2);
    expect(removal.changes).toStrictEqual([{ kind: "task", op: "remove", tag: "feature", key: "7" }]);
    expect(removal.cause).toMatchObject({ type: "task.removed" });

    const lateUpsert = ev.taskUpsert({ id: 7, title: "Zombie" }, { occurredAt: iso(1_000), tag: "feature" });
    const lateProgress = ev.taskProgress(7, 90, { occurredAt: iso(1_999), tag: "feature" });
    expect(await send(channel, lateUpsert, lateProgress)).toStrictEqual({ accepted: 0, duplicates: 0, stale: 2, head: 2 });
    expect((await snapshot(channel)).state.tasks).toStrictEqual({});

    // The tombstone is durable: it holds after the object restarts.
    await evictDurableObject(channelObject(channel), { webSockets: "hibernate" });
    expect(await send(channel, ev.taskUpsert({ id: 7, title: "Zombie 2" }, { occurredAt: iso(1_500), tag: "feature" }))).toMatchObject({ stale: 1, head: 2 });

    const reborn = ev.taskUpsert({ id: 7, title: "Seven again" }, { occurredAt: iso(3_000), tag: "feature" });
    expect(await send(channel, reborn)).toMatchObject({ accepted: 1, head: 3 });
    const task = (await snapshot(channel)).state.tasks.feature?.["7"];
    // A new task: nothing of the removed one survives.
    expect(task).toStrictEqual({ id: "7", tag: "feature", title: "Seven again", status: "pending", dependencies: [], subtasks: [], updatedAt: iso(3_000) });
    await viewer.waitForSeq(3);
    expect(viewer.deltas.map((d) => d.seq)).toStrictEqual([1, 2, 3]);
  });

  it("removing a task the hub never saw leaves a tombstone without a delta", async () => {
    const channel = uniqueChannel("tomb-unknown");
    expect(await send(channel, ev.taskRemoved("x-1", { occurredAt: iso(2_000) }))).toStrictEqual({ accepted: 1, duplicates: 0, stale: 0, head: 0 });
    expect(await send(channel, ev.taskUpsert({ id: "x-1", title: "Late" }, { occurredAt: iso(1_000) }))).toStrictEqual({ accepted: 0, duplicates: 0, stale: 1, head: 0 });
    expect((await snapshot(channel)).state.tasks).toStrictEqual({});
    const row = await runInDurableObject(channelObject(channel), (_i, state) =>
      state.storage.sql.exec<{ version: number; value: string | null }>("SELECT version, value FROM entities WHERE key = ?", "task/master/x-1").one(),
    );
    expect(row).toStrictEqual({ version: T0 + 2_000, value: null });
  });
});
