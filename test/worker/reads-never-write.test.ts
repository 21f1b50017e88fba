/**
 * A channel exists once it has accepted an event. Before that, every read
 * answers an empty state and leaves nothing behind: no table in the object's
 * SQLite, no directory entry, no counters.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { CloseCode, Paths, type DeltasResponse, type HelloFrame, type SnapshotResponse } from "../../protocol/index.ts";
import { readAttachment } from "../../worker/channel/socket-attachment.ts";
import { ev } from "../../dev/events.ts";
import { channelObject, channelStorage, hub, listChannels, metrics, send, snapshot, uniqueChannel } from "./support/hub.ts";
import { SocketProbe, settle } from "./support/socket-probe.ts";

const EMPTY_STATE = { meta: {}, agents: {}, tasks: {}, health: {} };

let TICKET = "";
beforeAll(async () => {
  TICKET = await hub.viewerTicket();
});

afterEach(() => SocketProbe.closeAll());

async function getJson<T>(path: string): Promise<T> {
  const res = await hub.get(path, TICKET);
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json();
}

async function listedChannels(): Promise<string[]> {
  return (await listChannels(TICKET)).map((c) => c.channel);
}

describe("reads of a channel that does not exist", () => {
  it("snapshot, deltas (also long-polled), metrics and a socket answer empty and write nothing", async () => {
    const channel = uniqueChannel("ghost");
    const before = await channelStorage(channel);
    expect(before.tables).toStrictEqual([]);

    const snap = await getJson<SnapshotResponse>(Paths.snapshot(channel));
    expect(snap).toStrictEqual({ epoch: expect.any(String), seq: 0, state: EMPTY_STATE });
    expect(await getJson<DeltasResponse>(Paths.deltas(channel))).toStrictEqual({ recovered: false, reason: "no-cursor", snapshot: snap });
    const waited = await getJson<DeltasResponse>(`${Paths.deltas(channel)}?since=0&epoch=${snap.epoch}&wait=1`);
    expect(waited).toStrictEqual({ recovered: true, epoch: snap.epoch, head: 0, deltas: [] });
    const m = await metrics(channel);
    expect(m.events).toStrictEqual({ accepted: 0, duplicate: 0, stale: 0, rejected: 0 });
    expect(m.log).toStrictEqual({ epoch: snap.epoch, head: 0, oldest: 1 });

    const viewer = await SocketProbe.open(channel, { ticket: TICKET });
    const [hello, first] = await viewer.waitForFrames(2);
    expect(hello).toMatchObject({ type: "hello", channel, epoch: snap.epoch, head: 0, recovered: false });
    expect(first).toStrictEqual({ type: "snapshot", ...snap });
    viewer.send('{"type":"resync"}');
    await viewer.waitForFrames(3);
    viewer.close();
    await viewer.waitForClose();
    await settle(50);

    const after = await channelStorage(channel);
    expect(after).toStrictEqual(before);
    expect((await metrics(channel)).connections.peak).toBe(0);
    expect(await listedChannels()).not.toContain(channel);
  });

  it("a socket opened before the first event gets that event as delta 1 of the epoch it was shown", async () => {
    const channel = uniqueChannel("ghost-wait");
    const viewer = await SocketProbe.open(channel, { ticket: TICKET });
    const [hello] = (await viewer.waitForFrames(2)) as [HelloFrame];
    expect(await listedChannels()).not.toContain(channel);

    await send(channel, ev.meta({ name: "born" }));
    const delta = await viewer.waitForSeq(1);
    expect(delta.epoch).toBe(hello.epoch);
    expect(await snapshot(channel)).toMatchObject({ epoch: hello.epoch, seq: 1, state: { meta: { name: "born" } } });
    expect((await channelStorage(channel)).tables.length).toBeGreaterThan(0);
    // Now it exists: listed (the report follows the webhook's answer, so poll briefly).
    for (let i = 0; i < 50 && !(await listedChannels()).includes(channel); i++) await settle(20);
    expect(await listedChannels()).toContain(channel);
  });

  it("the epoch shown before the first event survives an eviction: the waiting socket need not start over", async () => {
    const channel = uniqueChannel("ghost-evict");
    const viewer = await SocketProbe.open(channel, { ticket: TICKET });
    const [hello] = (await viewer.waitForFrames(2)) as [HelloFrame];
    await evictDurableObject(channelObject(channel), { webSockets: "hibernate" });

    await send(channel, ev.meta({ name: "after eviction" }));
    const delta = await viewer.waitForSeq(1);
    expect(delta.epoch).toBe(hello.epoch);
    expect((await snapshot(channel)).epoch).toBe(hello.epoch);
  });

  it("sets no alarm; a socket whose ticket expired meanwhile is closed before the first event is sent", async () => {
    const channel = uniqueChannel("ghost-expired");
    const expired = await SocketProbe.open(channel, { ticket: await hub.ticket([channel], 60) });
    const valid = await SocketProbe.open(channel, { ticket: TICKET });
    await expired.waitForFrames(2);
    await valid.waitForFrames(2);
    expect(await runInDurableObject(channelObject(channel), (_i, state) => state.storage.getAlarm())).toBeNull();
    // Time passing, as the ticket-renewal tests do it: the first socket's ticket ran out.
    await runInDurableObject(channelObject(channel), (_i, state) => {
      for (const ws of state.getWebSockets()) {
        const attachment = readAttachment(ws.deserializeAttachment())!;
        if (attachment.ticketExp < Date.now() / 1000 + 120) ws.serializeAttachment({ ...attachment, ticketExp: Math.floor(Date.now() / 1000) - 1 });
      }
    });

    await send(channel, ev.meta({ name: "secret" }));
    expect((await expired.waitForClose()).code).toBe(CloseCode.UNAUTHORIZED);
    expect(JSON.stringify(expired.frames)).not.toContain("secret");
    await valid.waitForSeq(1);
    expect(await runInDurableObject(channelObject(channel), (_i, state) => state.storage.getAlarm())).not.toBeNull();
  });

  it("a batch with nothing to accept (events older than the purge horizon) does not create the channel", async () => {
    const channel = uniqueChannel("ghost-stale");
    const ancient = ev.meta({ name: "old" }, new Date(Date.now() - 31 * 24 * 60 * 60 * 1000).toISOString());
    expect(await send(channel, ancient)).toStrictEqual({ accepted: 0, duplicates: 0, stale: 1, head: 0 });
    expect((await channelStorage(channel)).tables).toStrictEqual([]);
  });
});
