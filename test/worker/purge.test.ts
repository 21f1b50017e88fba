/**
 * The purge horizon (PURGE_AFTER_DAYS, 30 by default) on the real object:
 * the alarm removes offline agents past it as a delta every viewer applies,
 * drops old tombstones, and an event older than it is stale.
 */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_PURGE_AFTER_DAYS, applyChanges, type ChannelState, type SnapshotFrame } from "../../protocol/index.ts";
import { ev } from "../../dev/events.ts";
import { channelObject, hub, send, snapshot, uniqueChannel } from "./support/hub.ts";
import { SocketProbe } from "./support/socket-probe.ts";

const HORIZON_MS = DEFAULT_PURGE_AFTER_DAYS * 24 * 60 * 60 * 1000;

let TICKET = "";
beforeAll(async () => {
  TICKET = await hub.viewerTicket();
});

afterEach(() => SocketProbe.closeAll());

/** Moves stored rows back in time, as 31 days passing would, then evicts the object so it reloads them. */
async function age(channel: string, statements: [string, ...unknown[]][]): Promise<void> {
  await runInDurableObject(channelObject(channel), (_instance, state) => {
    for (const [sql, ...params] of statements) state.storage.sql.exec(sql, ...params);
  });
  await evictDurableObject(channelObject(channel), { webSockets: "hibernate" });
}

describe("purge horizon", () => {
  it("the alarm removes an offline agent past the horizon; a viewer applying the delta ends equal to the snapshot", async () => {
    const channel = uniqueChannel("purge-agent");
    await send(channel, ev.agentStatus("old", "offline"), ev.agentStatus("busy", "busy"), ev.taskUpsert({ id: 9 }), ev.taskRemoved(9));
    const viewer = await SocketProbe.open(channel, { ticket: TICKET });
    const [, first] = await viewer.waitForFrames(2);
    const state = structuredClone((first as SnapshotFrame).state) as ChannelState;
    const longAgo = new Date(Date.now() - HORIZON_MS - 60_000).toISOString();
    const longAgoMs = Date.now() - HORIZON_MS - 60_000;
    await age(channel, [
      ["UPDATE entities SET value = json_set(value, '$.lastSeenAt', ?) WHERE key = 'agent/old'", longAgo],
      ["UPDATE entities SET version = ? WHERE value IS NULL", longAgoMs],
    ]);

    expect(await runDurableObjectAlarm(channelObject(channel))).toBe(true);
    const delta = await viewer.waitForSeq(5);
    expect(delta).toMatchObject({ cause: { type: "agent.purged" }, changes: [{ kind: "agent", op: "remove", key: "old" }] });
    applyChanges(state, delta.changes);
    const snap = await snapshot(channel);
    expect(state).toStrictEqual(snap.state);
    expect(Object.keys(snap.state.agents)).toStrictEqual(["busy"]);
    // The aged task tombstone is gone; the removed agent is a tombstone until its own version passes the horizon.
    const rows = await runInDurableObject(channelObject(channel), (_i, s) =>
      s.storage.sql.exec<{ key: string; value: string | null }>("SELECT key, value FROM entities ORDER BY key").toArray().map((r) => [r.key, r.value === null]),
    );
    expect(rows).toStrictEqual([
      ["agent/busy", false],
      ["agent/old", true],
    ]);
  });

  it("acknowledges an event older than the horizon as stale, and stores nothing for it", async () => {
    const channel = uniqueChannel("purge-stale");
    await send(channel, ev.meta({ name: "now" }));
    const old = ev.taskUpsert({ id: 1, title: "ancient" }, { occurredAt: new Date(Date.now() - HORIZON_MS - 1000).toISOString() });
    expect(await send(channel, old)).toStrictEqual({ accepted: 0, duplicates: 0, stale: 1, head: 1 });
    expect((await snapshot(channel)).state.tasks).toStrictEqual({});
  });
});
