/**
 * Hibernation: the object is evicted while sockets stay open. The next
 * broadcast must still reach every socket with the right seq, and each
 * socket's attachment must survive.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { PING_FRAME_TEXT, PONG_FRAME_TEXT } from "../../protocol/index.ts";
import type { ChannelObject } from "../../worker/channel/channel-object.ts";
import { readAttachment, type SocketAttachment } from "../../worker/channel/socket-attachment.ts";
import { ev } from "../../dev/events.ts";
import { channelObject, hub, metrics, send, snapshot, uniqueChannel } from "./support/hub.ts";
import { SocketProbe, settle } from "./support/socket-probe.ts";

afterEach(() => SocketProbe.closeAll());

/** Instances seen so far: a new instance after eviction proves the object really went away. */
const instances = new WeakSet<ChannelObject>();

async function attachments(channel: string): Promise<(SocketAttachment | null)[]> {
  return runInDurableObject(channelObject(channel), (instance: ChannelObject, state) => {
    instances.add(instance);
    return state
      .getWebSockets()
      .map((ws) => readAttachment(ws.deserializeAttachment()))
      .sort((a, b) => (a?.id ?? "").localeCompare(b?.id ?? ""));
  });
}

async function isSameInstance(channel: string): Promise<boolean> {
  return runInDurableObject(channelObject(channel), (instance: ChannelObject) => instances.has(instance));
}

describe("hibernation", () => {
  it("after eviction, the next broadcast reaches every socket with the next seq and attachments survive", async () => {
    const channel = uniqueChannel("hib");
    await send(channel, ev.taskUpsert({ id: 1, title: "One" }), ev.agentStatus("a1", "busy", { taskId: "1" }));
    const ticket = await hub.ticket([channel]);
    const viewers = [
      await SocketProbe.open(channel, { ticket: await hub.viewerTicket() }),
      await SocketProbe.open(channel, { ticket }),
      await SocketProbe.open(channel, { ticket }),
    ];
    for (const v of viewers) await v.waitForFrames(2);

    const before = await attachments(channel);
    expect(before).toHaveLength(3);
    for (const a of before) {
      expect(a).toStrictEqual({ v: 1, id: expect.any(String), channel, connectedAtMs: expect.any(Number), ticketExp: expect.any(Number), epoch: expect.any(String) });
      expect(a!.connectedAtMs).toBeLessThanOrEqual(Date.now());
    }
    expect(new Set(before.map((a) => a!.id)).size).toBe(3);
    expect(await isSameInstance(channel)).toBe(true);

    await evictDurableObject(channelObject(channel), { webSockets: "hibernate" });

    const upsert = ev.taskUpsert({ id: 1, status: "done" });
    expect(await send(channel, upsert)).toMatchObject({ accepted: 1, head: 3 });
    for (const v of viewers) {
      const delta = await v.waitForSeq(3);
      expect(delta).toMatchObject({ type: "delta", seq: 3, cause: { type: "task.upsert", id: upsert.id } });
      expect(v.closed).toBeNull();
    }
    expect(await isSameInstance(channel)).toBe(false);
    expect(await attachments(channel)).toStrictEqual(before);
    expect((await metrics(channel)).connections.now).toBe(3);

    await settle();
    for (const v of viewers) expect(v.frames.map((f) => (f.type === "delta" ? f.seq : f.type))).toStrictEqual(["hello", "snapshot", 3]);
  });

  it("a hibernated object answers pings, resync, bad frames and new connections as before", async () => {
    const channel = uniqueChannel("hib-frames");
    // A task with a long description: the state outweighs the one delta missed below, so it is replayed.
    await send(channel, ev.meta({ name: "p" }), ev.taskUpsert({ id: 1, description: "d".repeat(2000) }));
    const viewer = await SocketProbe.open(channel, { ticket: await hub.viewerTicket() });
    await viewer.waitForFrames(2);
    const epoch = (viewer.frames[0] as { epoch: string }).epoch;
    await evictDurableObject(channelObject(channel), { webSockets: "hibernate" });

    viewer.send(PING_FRAME_TEXT);
    await viewer.waitForFrames(3);
    expect(viewer.frames[2]).toStrictEqual(JSON.parse(PONG_FRAME_TEXT));

    await evictDurableObject(channelObject(channel), { webSockets: "hibernate" }).catch(() => {
      // The pong was the runtime's: the object may not even be running. Either way is fine.
    });
    viewer.send('{"type":"resync"}');
    await viewer.waitForFrames(4);
    expect(viewer.frames[3]).toStrictEqual({ type: "snapshot", ...(await snapshot(channel)) });

    await evictDurableObject(channelObject(channel), { webSockets: "hibernate" });
    viewer.send("garbage");
    await viewer.waitForFrames(5);
    expect(viewer.frames[4]).toMatchObject({ type: "error", code: "bad_frame" });

    // The epoch and head are read back from storage: a resuming client recovers.
    await send(channel, ev.meta({ name: "q" }));
    const resumed = await SocketProbe.open(channel, { ticket: await hub.viewerTicket(), since: 2, epoch });
    await resumed.waitForSeq(3);
    expect(resumed.frames[0]).toMatchObject({ type: "hello", epoch, head: 3, recovered: true });
  });

  it("a socket closed while hibernated is gone for the next broadcast; the others still get it", async () => {
    const channel = uniqueChannel("hib-close");
    const stays = await SocketProbe.open(channel, { ticket: await hub.viewerTicket() });
    const leaves = await SocketProbe.open(channel, { ticket: await hub.viewerTicket() });
    await stays.waitForFrames(2);
    await leaves.waitForFrames(2);
    await evictDurableObject(channelObject(channel), { webSockets: "hibernate" });
    leaves.close(1000, "bye");
    // The close wakes the object (webSocketClose); wait until it has forgotten the socket.
    for (let i = 0; i < 50 && (await attachments(channel)).length > 1; i++) await settle(20);
    expect(await attachments(channel)).toHaveLength(1);

    await send(channel, ev.meta({ name: "after" }));
    await stays.waitForSeq(1);
    expect(leaves.deltas).toHaveLength(0);
  });
});
