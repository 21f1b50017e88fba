import { createHmac } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import {
  deriveChannelKey,
  signStandardWebhook,
  signWebhook,
  standardWebhookHeaders,
  standardWebhooksSecret,
  verifyStandardWebhook,
} from "../../../protocol/index.ts";

const ROOT = "root-secret-for-tests";
const utf8 = new TextEncoder();

describe("channel keys", () => {
  it("are lowercase hex HMAC-SHA256(root, 'channel:' + channel), as openssl would compute them", async () => {
    const key = await deriveChannelKey(ROOT, "my-project");
    expect(key).toBe(createHmac("sha256", ROOT).update("channel:my-project").digest("hex"));
    expect(key).toMatch(/^[0-9a-f]{64}$/);
  });

  it("differ per channel and per root secret", async () => {
    const a = await deriveChannelKey(ROOT, "a");
    expect(await deriveChannelKey(ROOT, "b")).not.toBe(a);
    expect(await deriveChannelKey("other-root", "a")).not.toBe(a);
  });

  it("sign X-Hub-Signature with the hex string's UTF-8 bytes as the HMAC key", async () => {
    const key = await deriveChannelKey(ROOT, "a");
    const expected = createHmac("sha256", key).update("1700000000.{}").digest("hex");
    expect(await signWebhook(key, "1700000000", "{}")).toBe(`sha256=${expected}`);
  });
});

describe("Standard Webhooks", () => {
  it("the whsec_ secret is base64 of the channel key's bytes", async () => {
    const key = await deriveChannelKey(ROOT, "a");
    const secret = standardWebhooksSecret(key);
    expect(secret.startsWith("whsec_")).toBe(true);
    expect(Buffer.from(secret.slice(6), "base64").toString("utf8")).toBe(key);
  });

  it("signatures made by the standardwebhooks library verify, and ours verify in the library", async () => {
    const key = await deriveChannelKey(ROOT, "a");
    const library = new Webhook(standardWebhooksSecret(key));
    const body = '{"id":"e1","type":"agent.heartbeat","occurredAt":"2026-11-30T00:00:00Z","data":{"agentId":"x"}}';
    const now = new Date();
    const ts = String(Math.floor(now.getTime() / 1000));
    const theirs = library.sign("msg_1", now, body);
    expect(await verifyStandardWebhook(key, "msg_1", ts, utf8.encode(body), theirs)).toBe(true);

    const headers = await standardWebhookHeaders(key, "msg_2", body, now.getTime());
    expect(library.verify(body, headers)).toEqual(JSON.parse(body));
  });

  it("accepts any matching v1 entry among several and rejects wrong ids, bodies, keys and versions", async () => {
    const key = await deriveChannelKey(ROOT, "a");
    const body = utf8.encode("{}");
    const good = await signStandardWebhook(key, "m", "100", body);
    expect(await verifyStandardWebhook(key, "m", "100", body, `v1,AAAA ${good}`)).toBe(true);
    expect(await verifyStandardWebhook(key, "m2", "100", body, good)).toBe(false);
    expect(await verifyStandardWebhook(key, "m", "101", body, good)).toBe(false);
    expect(await verifyStandardWebhook(key, "m", "100", utf8.encode("{ }"), good)).toBe(false);
    expect(await verifyStandardWebhook(await deriveChannelKey(ROOT, "b"), "m", "100", body, good)).toBe(false);
    expect(await verifyStandardWebhook(key, "m", "100", body, good.replace("v1,", "v2,"))).toBe(false);
    expect(await verifyStandardWebhook(key, "m", "100", body, "")).toBe(false);
  });
});
