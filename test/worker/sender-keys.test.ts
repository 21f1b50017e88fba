/**
 * Channel-bound sender keys: a request verifies only on the channel whose key
 * signed it, in either header scheme; the root secret signs nothing; a refusal
 * that is not signed for the channel (or comes late) creates nothing.
 */
import { describe, expect, it } from "vitest";
import { Paths, signStandardWebhook, standardWebhookHeaders } from "../../protocol/index.ts";
import { ev } from "../../dev/events.ts";
import { TEST_SECRETS } from "../../dev/secrets.ts";
import { expectError } from "./support/http-expect.ts";
import { HUB_URL, channelObjectExists, fetchHub, hub, send, snapshot, listChannels, uniqueChannel } from "./support/hub.ts";

const HUB_MISMATCH = 'X-Hub-Signature does not match: expected sha256=<hex HMAC-SHA256(channel key, "<timestamp>.<raw body>")>';
const STANDARD_MISMATCH = 'webhook-signature does not match: expected v1,<base64 HMAC-SHA256(channel key, "<id>.<timestamp>.<raw body>")>';

function postRaw(channel: string, body: string, headers: Record<string, string>): Promise<Response> {
  return fetchHub(HUB_URL + Paths.webhook(channel), { method: "POST", body, headers });
}

async function listed(channel: string): Promise<boolean> {
  return (await listChannels(await hub.viewerTicket())).some((c) => c.channel === channel);
}

describe("a request captured for one channel", () => {
  it("re-posted to another channel is 401 bad_signature, in both schemes, and B gets no object and no directory entry", async () => {
    const a = uniqueChannel("capture-a");
    const b = uniqueChannel("capture-b");
    const body = JSON.stringify(ev.taskUpsert({ id: 1, title: "for A only" }));
    const hubHeaders = await hub.signedHeaders(a, body);
    const standardHeaders = await hub.signedHeaders(a, body, { scheme: "standard" });

    await expectError(await postRaw(b, body, hubHeaders), 401, { code: "bad_signature", message: HUB_MISMATCH });
    await expectError(await postRaw(b, body, standardHeaders), 401, { code: "bad_signature", message: STANDARD_MISMATCH });
    expect(await channelObjectExists(b)).toBe(false);
    expect(await listed(b)).toBe(false);

    // The very same requests are good on A.
    expect((await postRaw(a, body, hubHeaders)).status).toBe(202);
    expect((await postRaw(a, body, standardHeaders)).status).toBe(202);
    expect((await snapshot(a)).seq).toBe(1);
  });

  it("re-posted after the window is 401 stale_timestamp on its own channel, and creates nothing there", async () => {
    const channel = uniqueChannel("capture-late");
    const body = JSON.stringify(ev.meta({ name: "old" }));
    const capturedAtMs = Date.now() - 301_000;
    await expectError(await postRaw(channel, body, await hub.signedHeaders(channel, body, { nowMs: capturedAtMs })), 401, {
      code: "stale_timestamp",
      message: /^X-Hub-Timestamp is 30[012] s from the server clock \(at most 300 s\)$/,
    });
    await expectError(await postRaw(channel, body, await hub.signedHeaders(channel, body, { nowMs: capturedAtMs, scheme: "standard" })), 401, {
      code: "stale_timestamp",
      message: /^webhook-timestamp is 30[012] s from the server clock \(at most 300 s\)$/,
    });
    expect(await channelObjectExists(channel)).toBe(false);
    expect(await listed(channel)).toBe(false);
  });
});

describe("keys and schemes", () => {
  it("the root secret signs nothing, in either scheme", async () => {
    const channel = uniqueChannel("root");
    const body = JSON.stringify(ev.meta({ name: "root" }));
    await expectError(await hub.post(channel, body, { key: TEST_SECRETS.WEBHOOK_SECRET }), 401, { code: "bad_signature", message: HUB_MISMATCH });
    await expectError(await hub.post(channel, body, { key: TEST_SECRETS.WEBHOOK_SECRET, scheme: "standard" }), 401, { code: "bad_signature", message: STANDARD_MISMATCH });
    expect(await channelObjectExists(channel)).toBe(false);
  });

  it("accepts Standard Webhooks headers, including a rotation list where one signature matches", async () => {
    const channel = uniqueChannel("standard");
    const key = await hub.channelKey(channel);
    const body = JSON.stringify(ev.taskUpsert({ id: 7, title: "standard" }));
    const headers = await standardWebhookHeaders(key, "msg_rotation", body);
    const stale = await signStandardWebhook("an-old-key", "msg_rotation", headers["webhook-timestamp"]!, body);
    const res = await postRaw(channel, body, { ...headers, "webhook-signature": `${stale} ${headers["webhook-signature"]}` });
    expect(res.status, await res.clone().text()).toBe(202);
    expect(await res.json()).toStrictEqual({ accepted: 1, duplicates: 0, stale: 0, head: 1 });
    expect((await snapshot(channel)).state.tasks.master?.["7"]?.title).toBe("standard");
  });

  it("names the Standard Webhooks header that is missing or malformed", async () => {
    const channel = uniqueChannel("standard-bad");
    const body = JSON.stringify(ev.meta({ name: "x" }));
    const headers = await hub.signedHeaders(channel, body, { scheme: "standard" });
    const without = (name: string) => Object.fromEntries(Object.entries(headers).filter(([k]) => k !== name));
    const idRule = "webhook-id must be present: 1-256 printable ASCII characters without spaces or commas";
    await expectError(await postRaw(channel, body, without("webhook-id")), 401, { code: "bad_signature", message: idRule });
    await expectError(await postRaw(channel, body, { ...headers, "webhook-id": "has space" }), 401, { code: "bad_signature", message: idRule });
    await expectError(await postRaw(channel, body, without("webhook-timestamp")), 401, { code: "bad_signature", message: "webhook-timestamp must be present and hold unix seconds" });
    await expectError(await postRaw(channel, body, without("webhook-signature")), 401, { code: "bad_signature", message: "webhook-signature is missing" });
    await expectError(await postRaw(channel, body, { ...headers, "webhook-signature": "v2,abc" }), 401, { code: "bad_signature", message: STANDARD_MISMATCH });
    expect(await channelObjectExists(channel)).toBe(false);
  });

  it("a key made for one channel is refused by every other", async () => {
    const channels = [uniqueChannel("k1"), uniqueChannel("k2"), uniqueChannel("k3")];
    await send(channels[0]!, ev.meta({ name: "k1" }));
    const key = await hub.channelKey(channels[0]!);
    for (const other of channels.slice(1)) {
      expect((await hub.post(other, ev.meta({ name: "wrong key" }), { key })).status).toBe(401);
      expect(await channelObjectExists(other)).toBe(false);
    }
  });
});
