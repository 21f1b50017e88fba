/**
 * A viewer shard's socket behaves like the channel object's own (the worker
 * project runs with SHARD_SIZE 4, so a channel's fifth socket is on shard 1):
 * the same frames, replay from the shard's tail or planned by the object,
 * ping, resync, bad frames, in-band renewal, ticket expiry, delete. The
 * 300-viewer test with an eviction is test/shards/viewer-shards.test.ts.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { CloseCode, PING_FRAME_TEXT, type ServerFrame } from "../../protocol/index.ts";
import { issueTicket } from "../../worker/auth/tickets.ts";
import { ticketKeyFor } from "../../worker/auth/viewer-auth.ts";
import { readAttachment } from "../../worker/channel/socket-attachment.ts";
import { shardStub } from "../../worker/shard/shard-stub.ts";
import { ev } from "../../dev/events.ts";
import { hub, metrics, send, snapshot, uniqueChannel } from "./support/hub.ts";
import { SocketProbe } from "./support/socket-probe.ts";

afterEach(() => SocketProbe.closeAll());

const SHARD_SIZE = 4;
const nowSeconds = () => Math.floor(Date.now() / 1000);

async function viewers(channel: string, count: number, ticket?: string): Promise<SocketProbe[]> {
  const out: SocketProbe[] = [];
  const granted = ticket ?? (await hub.ticket([channel]));
  for (let i = 0; i < count; i++) {
    const probe = await SocketProbe.open(channel, { ticket: granted });
    await probe.waitForFrames(2);
    out.push(probe);
  }
  return out;
}

/** How many sockets the shard holds. */
function shardSockets(channel: string, shard: number): Promise<number> {
  return runInDurableObject(shardStub(env, channel, shard), (_instance, state) => state.getWebSockets().length);
}

const types = (frames: readonly ServerFrame[]) => frames.map((f) => f.type);

describe("viewer shards (SHARD_SIZE 4 in the worker project)", () => {
  it("sockets past SHARD_SIZE go to shard 1, get the same hello and frames, and the metrics count them", async () => {
    const channel = uniqueChannel("shards");
    await send(channel, ev.taskUpsert({ id: 1, title: "One" }));
    const all = await viewers(channel, SHARD_SIZE + 2);
    expect(await shardSockets(channel, 1)).toBe(2);
    const { head } = await send(channel, ev.taskUpsert({ id: 2, title: "Two" }), ev.taskUpsert({ id: 3, title: "Three" }));
    for (const probe of all) await probe.waitForSeq(head);
    const own = all[0]!;
    const sharded = all[SHARD_SIZE + 1]!;
    expect(sharded.frames).toStrictEqual(own.frames);
    expect(types(sharded.frames)).toEqual(["hello", "snapshot", "deltas"]);
    expect((await metrics(channel)).connections).toStrictEqual({ now: SHARD_SIZE + 2, peak: SHARD_SIZE + 2 });

    sharded.close();
    await expect.poll(async () => (await metrics(channel)).connections.now).toBe(SHARD_SIZE + 1);
  });

  it("a shard's socket resumes from a cursor: recovered, exactly the missed deltas, from the shard's tail or planned by the object", async () => {
    const channel = uniqueChannel("shards-resume");
    // A large state, so a replay of the small deltas below costs less than a snapshot.
    await send(channel, ev.taskUpsert({ id: 1, title: "x".repeat(2000) }));
    const ticket = await hub.ticket([channel]);
    await viewers(channel, SHARD_SIZE, ticket);
    await send(channel, ev.taskUpsert({ id: 2 }));
    // The shard starts here: its tail holds what comes after seq 2.
    await viewers(channel, 1, ticket);
    const { epoch } = await snapshot(channel);
    const { head } = await send(channel, ev.taskUpsert({ id: 3 }), ev.taskUpsert({ id: 4 }));
    const recoveredBefore = (await metrics(channel)).replays.recovered;

    const fromTail = await SocketProbe.open(channel, { ticket, since: 2, epoch });
    await fromTail.waitForSeq(head);
    expect(fromTail.frames[0]).toMatchObject({ type: "hello", recovered: true, head });
    expect(fromTail.deltas.map((d) => d.seq)).toEqual([3, 4]);
    expect((await metrics(channel)).replays.recovered, "answered by the shard alone").toBe(recoveredBefore);

    const fromLog = await SocketProbe.open(channel, { ticket, since: 1, epoch });
    await fromLog.waitForSeq(head);
    expect(fromLog.frames[0]).toMatchObject({ type: "hello", recovered: true, head });
    expect(fromLog.deltas.map((d) => d.seq)).toEqual([2, 3, 4]);
    expect((await metrics(channel)).replays.recovered, "planned by the channel's object").toBe(recoveredBefore + 1);
    expect(await shardSockets(channel, 1)).toBe(3);
  });

  it("on a shard's socket: ping, resync, bad frames, renewal and ticket expiry behave as on the object's", async () => {
    const channel = uniqueChannel("shards-rules");
    await send(channel, ev.meta({ name: "rules" }));
    const others = await viewers(channel, SHARD_SIZE);
    const key = await ticketKeyFor(env);
    const [sharded] = await viewers(channel, 1, await issueTicket(key, { channels: [channel], exp: nowSeconds() + 120 }));
    const probe = sharded!;
    expect(await shardSockets(channel, 1)).toBe(1);

    probe.send(PING_FRAME_TEXT);
    await probe.waitFor("pong", (f) => f.some((x) => x.type === "pong"));
    probe.send(JSON.stringify({ type: "resync" }));
    await probe.waitFor("a snapshot", (f) => f.filter((x) => x.type === "snapshot").length === 2);
    probe.send(JSON.stringify({ type: "auth", ticket: await issueTicket(key, { channels: [channel], exp: nowSeconds() + 600 }) }));
    await probe.waitFor("auth-ok", (f) => f.some((x) => x.type === "auth-ok"));

    // The renewed ticket was stored; expire it and run the shard's alarm: 4001, as on the object.
    const expired = await runInDurableObject(shardStub(env, channel, 1), (_instance, state) => {
      const [ws] = state.getWebSockets();
      const attachment = readAttachment(ws!.deserializeAttachment())!;
      ws!.serializeAttachment({ ...attachment, ticketExp: nowSeconds() - 1 });
      return attachment.ticketExp > nowSeconds() + 300;
    });
    expect(expired, "the renewal extended the shard socket's ticket").toBe(true);
    expect(await runDurableObjectAlarm(shardStub(env, channel, 1))).toBe(true);
    expect(await probe.waitForClose()).toMatchObject({ code: CloseCode.UNAUTHORIZED, reason: "ticket expired" });

    const [bad] = await viewers(channel, 1);
    for (let i = 0; i < 3; i++) bad!.send("not json");
    expect(await bad!.waitForClose()).toMatchObject({ code: CloseCode.PROTOCOL_ERROR });
    for (const other of others) expect(other.closed).toBeNull();
  });

  it("the connection limit counts the shards' sockets; deleting the channel closes them with 4404", async () => {
    const channel = uniqueChannel("shards-delete");
    await send(channel, ev.meta({ name: "delete" }));
    const all = await viewers(channel, 8);
    const refused = await SocketProbe.open(channel, { ticket: await hub.ticket([channel]) });
    expect(await refused.waitForClose()).toMatchObject({ code: CloseCode.RATE_LIMITED });
    expect((await hub.deleteChannel(channel)).status).toBe(200);
    for (const probe of all) expect(await probe.waitForClose()).toMatchObject({ code: CloseCode.CHANNEL_DELETED });
  });
});
