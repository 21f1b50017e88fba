/** `DELETE /webhooks/:channel`: signed with the channel's key, it closes the sockets (4404) and forgets the channel. */
import { afterEach, describe, expect, it } from "vitest";
import { CloseCode, Paths } from "../../protocol/index.ts";
import { ev } from "../../dev/events.ts";
import { TEST_SECRETS } from "../../dev/secrets.ts";
import { expectError } from "./support/http-expect.ts";
import { HUB_URL, fetchHub, hub, send, snapshot, listChannels, uniqueChannel } from "./support/hub.ts";
import { SocketProbe } from "./support/socket-probe.ts";

afterEach(() => SocketProbe.closeAll());

async function listed(channel: string): Promise<boolean> {
  return (await listChannels(await hub.viewerTicket())).some((c) => c.channel === channel);
}

/** Directory reports land after the answer that caused them: poll (bounded). */
async function eventuallyListed(channel: string, wanted: boolean): Promise<boolean> {
  for (let i = 0; i < 100 && (await listed(channel)) !== wanted; i++) await new Promise((r) => setTimeout(r, 20));
  return listed(channel);
}

describe("DELETE /webhooks/:channel", () => {
  it("closes every socket with 4404, empties the channel, unlists it; a new event starts a new epoch", async () => {
    const channel = uniqueChannel("delete");
    await send(channel, ev.taskUpsert({ id: 1, title: "One" }), ev.agentStatus("a1", "busy"));
    const before = await snapshot(channel);
    expect(before.seq).toBe(2);
    const viewers = [await SocketProbe.open(channel, { ticket: await hub.ticket([channel]) }), await SocketProbe.open(channel, { ticket: await hub.ticket([channel]) })];
    for (const viewer of viewers) await viewer.waitForFrames(2);
    expect(await eventuallyListed(channel, true)).toBe(true);

    const res = await hub.deleteChannel(channel);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toStrictEqual({ deleted: true });

    for (const viewer of viewers) expect(await viewer.waitForClose()).toStrictEqual({ code: CloseCode.CHANNEL_DELETED, reason: "channel deleted" });
    const after = await snapshot(channel);
    expect(after).toStrictEqual({ epoch: expect.any(String), seq: 0, state: { meta: {}, agents: {}, tasks: {}, health: {} } });
    expect(after.epoch).not.toBe(before.epoch);
    expect(await listed(channel)).toBe(false);

    const result = await send(channel, ev.taskUpsert({ id: 2, title: "Two" }));
    expect(result).toStrictEqual({ accepted: 1, duplicates: 0, stale: 0, head: 1 });
    const reborn = await snapshot(channel);
    expect(reborn.epoch).toBe(after.epoch);
    expect(Object.keys(reborn.state.tasks.master ?? {})).toStrictEqual(["2"]);
    expect(await eventuallyListed(channel, true)).toBe(true);
  });

  it("event ids are forgotten with the channel: the same event is accepted again", async () => {
    const channel = uniqueChannel("delete-ids");
    const event = ev.meta({ name: "again" });
    await send(channel, event);
    expect((await hub.deleteChannel(channel)).status).toBe(200);
    expect(await send(channel, event)).toStrictEqual({ accepted: 1, duplicates: 0, stale: 0, head: 1 });
  });

  it("404 not_found for a channel with no events (never written, or already deleted)", async () => {
    const channel = uniqueChannel("delete-twice");
    const message = `channel "${channel}" does not exist (no event accepted since it was created or deleted)`;
    await expectError(await hub.deleteChannel(channel), 404, { code: "not_found", message });
    await send(channel, ev.meta({ name: "x" }));
    expect((await hub.deleteChannel(channel)).status).toBe(200);
    await expectError(await hub.deleteChannel(channel), 404, { code: "not_found", message });
  });

  it("is signed like a webhook: another channel's key, the root secret, or no signature are 401 and delete nothing", async () => {
    const channel = uniqueChannel("delete-auth");
    await send(channel, ev.meta({ name: "kept" }));
    const before = await snapshot(channel);
    const mismatch = 'X-Hub-Signature does not match: expected sha256=<hex HMAC-SHA256(channel key, "<timestamp>.<raw body>")>';
    await expectError(await hub.deleteChannel(channel, { key: await hub.channelKey("other") }), 401, { code: "bad_signature", message: mismatch });
    await expectError(await hub.deleteChannel(channel, { key: TEST_SECRETS.WEBHOOK_SECRET }), 401, { code: "bad_signature", message: mismatch });
    await expectError(await fetchHub(HUB_URL + Paths.deleteChannel(channel), { method: "DELETE" }), 401, {
      code: "bad_signature",
      message: "X-Hub-Timestamp must be present and hold unix seconds",
    });
    await expectError(await hub.deleteChannel(channel, { nowMs: Date.now() - 600_000 }), 401, { code: "stale_timestamp", message: /^X-Hub-Timestamp is \d+ s from the server clock/ });
    expect(await snapshot(channel)).toStrictEqual(before);
  });

  it("accepts the Standard Webhooks scheme too", async () => {
    const channel = uniqueChannel("delete-standard");
    await send(channel, ev.meta({ name: "x" }));
    const res = await hub.deleteChannel(channel, { scheme: "standard" });
    expect(res.status, await res.clone().text()).toBe(200);
    expect((await snapshot(channel)).seq).toBe(0);
  });

  it("405 for methods the webhook path does not route", async () => {
    const res = await fetchHub(HUB_URL + Paths.webhook("abc"), { method: "PUT" });
    await expectError(res, 405, { code: "method_not_allowed", message: "PUT is not allowed on /webhooks/abc" });
  });
});
