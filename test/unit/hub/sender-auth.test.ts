import { describe, expect, it } from "vitest";
import { deriveChannelKey, signWebhook, standardWebhookHeaders, webhookHeaders } from "../../../protocol/index.ts";
import { authenticateSender, channelKeyFor, MAX_CACHED_CHANNEL_KEYS } from "../../../worker/auth/sender-auth.ts";

const ROOT = "unit-root-secret";
const utf8 = new TextEncoder();
const NOW_MS = 1_800_000_000_000;

function headerOf(headers: Record<string, string>) {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return (name: string) => lower[name.toLowerCase()];
}

describe("authenticateSender", () => {
  it("accepts either scheme signed with the channel's key, and nothing signed with the root secret", async () => {
    const key = await deriveChannelKey(ROOT, "a");
    const body = '{"x":1}';
    expect(await authenticateSender(ROOT, "a", headerOf(await webhookHeaders(key, body, NOW_MS)), utf8.encode(body), NOW_MS)).toStrictEqual({ ok: true });
    expect(await authenticateSender(ROOT, "a", headerOf(await standardWebhookHeaders(key, "msg_1", body, NOW_MS)), utf8.encode(body), NOW_MS)).toStrictEqual({ ok: true });
    const byRoot = await authenticateSender(ROOT, "a", headerOf(await webhookHeaders(ROOT, body, NOW_MS)), utf8.encode(body), NOW_MS);
    expect(byRoot).toMatchObject({ ok: false, code: "bad_signature", signed: false });
    const forB = await authenticateSender(ROOT, "b", headerOf(await webhookHeaders(key, body, NOW_MS)), utf8.encode(body), NOW_MS);
    expect(forB).toMatchObject({ ok: false, code: "bad_signature", signed: false });
  });

  it("checks the time only after the signature: exactly 300 s passes, 301 s is stale", async () => {
    const key = await deriveChannelKey(ROOT, "a");
    const at = (skewMs: number) => headerOf({ "x-hub-timestamp": String((NOW_MS + skewMs) / 1000), "x-hub-signature": "" });
    const check = async (skewMs: number) => {
      const timestamp = String((NOW_MS + skewMs) / 1000);
      const headers = { "x-hub-timestamp": timestamp, "x-hub-signature": await signWebhook(key, timestamp, "{}") };
      return authenticateSender(ROOT, "a", headerOf(headers), utf8.encode("{}"), NOW_MS);
    };
    expect(await check(300_000)).toStrictEqual({ ok: true });
    expect(await check(-300_000)).toStrictEqual({ ok: true });
    expect(await check(-301_000)).toStrictEqual({ ok: false, code: "stale_timestamp", message: "X-Hub-Timestamp is 301 s from the server clock (at most 300 s)", signed: true });
    // Unsigned and late: the signature is what is reported, never the time.
    expect(await authenticateSender(ROOT, "a", at(-900_000), utf8.encode("{}"), NOW_MS)).toMatchObject({ code: "bad_signature" });
  });
});

describe("channelKeyFor", () => {
  it("derives the channel key, caches it, and keeps at most MAX_CACHED_CHANNEL_KEYS", async () => {
    expect(await channelKeyFor(ROOT, "c0")).toBe(await deriveChannelKey(ROOT, "c0"));
    const first = channelKeyFor(ROOT, "c0");
    expect(channelKeyFor(ROOT, "c0")).toBe(first);
    for (let i = 1; i <= MAX_CACHED_CHANNEL_KEYS; i++) void channelKeyFor(ROOT, `c${i}`);
    // c0 was the least recently used: evicted, so derived again (a new promise).
    expect(channelKeyFor(ROOT, "c0")).not.toBe(first);
  });

  it("a new root secret gives new keys", async () => {
    const before = await channelKeyFor(ROOT, "r");
    expect(await channelKeyFor("rotated-root", "r")).not.toBe(before);
    expect(await channelKeyFor("rotated-root", "r")).toBe(await deriveChannelKey("rotated-root", "r"));
  });
});
