import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signWebhook, verifyWebhook, webhookHeaders } from "../../../protocol/index.ts";

const enc = (s: string) => new TextEncoder().encode(s);

describe("webhook signatures", () => {
  it("matches an independent HMAC-SHA256 of '<timestamp>.<body>' (node:crypto)", async () => {
    const body = '{"id":"1","type":"project.meta","occurredAt":"2026-01-01T00:00:00Z","data":{}}';
    const expected = "sha256=" + createHmac("sha256", "s3cret").update(`1700000000.${body}`).digest("hex");
    expect(await signWebhook("s3cret", "1700000000", body)).toBe(expected);
    expect(await verifyWebhook("s3cret", "1700000000", enc(body), expected)).toBe(true);
  });

  it.each([
    ["wrong secret", "other", "1700000000", "{}"],
    ["other timestamp", "s3cret", "1700000001", "{}"],
    ["other body", "s3cret", "1700000000", "{ }"],
  ])("rejects a signature made with %s", async (_, secret, ts, body) => {
    const header = await signWebhook("s3cret", "1700000000", "{}");
    expect(await verifyWebhook(secret, ts, enc(body), header)).toBe(false);
  });

  it.each(["", "sha256=", "sha1=abcd", "sha256=zz", "sha256=" + "a".repeat(63), "sha256=" + "a".repeat(65)])("rejects malformed header %j", async (header) => {
    expect(await verifyWebhook("s3cret", "1", enc("{}"), header)).toBe(false);
  });

  it("builds headers with the current unix second", async () => {
    const h = await webhookHeaders("k", "{}", 1_700_000_000_999);
    expect(h["x-hub-timestamp"]).toBe("1700000000");
    expect(await verifyWebhook("k", "1700000000", enc("{}"), h["x-hub-signature"]!)).toBe(true);
  });
});
