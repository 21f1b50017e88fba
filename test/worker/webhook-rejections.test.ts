/**
 * Every way a webhook is refused: the exact status and body, and proof that
 * nothing was stored (same snapshot, same head, no object for strangers).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  MAX_EVENTS_PER_BATCH,
  MAX_WEBHOOK_BODY_BYTES,
  Paths,
  signWebhook,
  webhookHeaders,
  type SnapshotResponse,
} from "../../protocol/index.ts";
import { ev } from "../../dev/events.ts";
import { TEST_SECRETS } from "../../dev/secrets.ts";
import { expectError } from "./support/http-expect.ts";
import { HUB_URL, channelObject, channelObjectExists, channelStorage, fetchHub, hub, metrics, send, snapshot, uniqueChannel } from "./support/hub.ts";

const SIGNATURE_MISMATCH = 'X-Hub-Signature does not match: expected sha256=<hex HMAC-SHA256(channel key, "<timestamp>.<raw body>")>';
const CHANNEL_RULE = "channel must match ^[a-z0-9][a-z0-9._-]{0,63}$";

function postRaw(channel: string, body: BodyInit, headers: Record<string, string>): Promise<Response> {
  return fetchHub(HUB_URL + Paths.webhook(channel), { method: "POST", body, headers });
}

/** Signed for `channel` (its key), or for the channel named in `signedFor`. */
async function signedHeaders(body: string | Uint8Array, nowMs = Date.now(), signedFor = rejectChannel): Promise<Record<string, string>> {
  const timestamp = String(Math.floor(nowMs / 1000));
  return { "content-type": "application/json", "x-hub-timestamp": timestamp, "x-hub-signature": await signWebhook(await hub.channelKey(signedFor), timestamp, body) };
}

/** A JSON body of exactly `bytes` bytes: one valid event padded with trailing whitespace. */
function paddedEventBody(bytes: number): string {
  const json = JSON.stringify(ev.meta({ name: "padded" }));
  return json + " ".repeat(bytes - json.length);
}

const rejectChannel = uniqueChannel("reject");

describe("webhook rejections on a channel that already has data", () => {
  const channel = rejectChannel;
  let before: SnapshotResponse;
  let acceptedBefore: number;

  beforeAll(async () => {
    await send(channel, ev.agentStatus("a1", "busy", { taskId: "1" }), ev.taskUpsert({ id: 1, title: "One" }));
    before = await snapshot(channel);
    expect(before.seq).toBe(2);
    acceptedBefore = (await metrics(channel)).events.accepted;
  });

  afterAll(async () => {
    // Nothing any rejection did may show: same epoch, head and state.
    expect(await snapshot(channel)).toStrictEqual(before);
    expect((await metrics(channel)).events.accepted).toBe(acceptedBefore);
  });

  it("400 bad_channel for a name outside the pattern", async () => {
    for (const bad of ["Upper", "-dash-first", "a".repeat(65), "sp ace", "a%2Fb"]) {
      const res = await fetchHub(`${HUB_URL}/webhooks/${bad}`, { method: "POST", body: "{}", headers: await signedHeaders("{}", Date.now(), bad) });
      await expectError(res, 400, { code: "bad_channel", message: CHANNEL_RULE });
    }
  });

  it("401 bad_signature when X-Hub-Timestamp is missing or not unix seconds", async () => {
    const body = JSON.stringify(ev.meta({ name: "x" }));
    const headers = await signedHeaders(body);
    const message = "X-Hub-Timestamp must be present and hold unix seconds";
    const { "x-hub-timestamp": _, ...withoutTimestamp } = headers;
    await expectError(await postRaw(channel, body, withoutTimestamp), 401, { code: "bad_signature", message });
    for (const timestamp of ["", "abc", "1.5", "-1", "1e9", "1234567890123456"]) {
      await expectError(await postRaw(channel, body, { ...headers, "x-hub-timestamp": timestamp }), 401, { code: "bad_signature", message });
    }
  });

  it("401 bad_signature when X-Hub-Signature is missing", async () => {
    const body = JSON.stringify(ev.meta({ name: "x" }));
    const { "x-hub-signature": _, ...headers } = await signedHeaders(body);
    await expectError(await postRaw(channel, body, headers), 401, { code: "bad_signature", message: "X-Hub-Signature is missing" });
  });

  it("401 bad_signature when the signature is malformed, from another secret, or over other bytes", async () => {
    const body = JSON.stringify(ev.meta({ name: "x" }));
    const headers = await signedHeaders(body);
    const good = headers["x-hub-signature"]!;
    const hex = good.slice("sha256=".length);
    const otherTimestamp = String(Number(headers["x-hub-timestamp"]) - 1);
    const variants = [
      hex, // no prefix
      `sha1=${hex}`,
      `sha256=${hex.slice(0, 63)}`,
      `sha256=${hex}00`,
      `sha256=${"z".repeat(64)}`,
      `sha256=${hex.replace(/^./, (c) => (c === "0" ? "1" : "0"))}`,
      await signWebhook("another-secret", headers["x-hub-timestamp"]!, body),
      await signWebhook(TEST_SECRETS.WEBHOOK_SECRET, headers["x-hub-timestamp"]!, body), // the root secret signs nothing
      await signWebhook(await hub.channelKey(channel), otherTimestamp, body), // signed for another time
      await signWebhook(await hub.channelKey(channel), headers["x-hub-timestamp"]!, body + " "), // other bytes
    ];
    for (const signature of variants) {
      await expectError(await postRaw(channel, body, { ...headers, "x-hub-signature": signature }), 401, { code: "bad_signature", message: SIGNATURE_MISMATCH });
    }
    // The signature covers the raw bytes: re-serialising the same JSON differently breaks it.
    const reformatted = JSON.stringify(JSON.parse(body), null, 2);
    await expectError(await postRaw(channel, reformatted, headers), 401, { code: "bad_signature", message: SIGNATURE_MISMATCH });
  });

  it("accepts the signature in upper-case hex (the same MAC)", async () => {
    // A body that fails the schema: 422 (not 401) proves the signature passed, and nothing changes.
    const body = JSON.stringify({ not: "an event" });
    const headers = await signedHeaders(body);
    const upper = "sha256=" + headers["x-hub-signature"]!.slice("sha256=".length).toUpperCase();
    expect(upper).not.toBe(headers["x-hub-signature"]);
    const res = await postRaw(channel, body, { ...headers, "x-hub-signature": upper });
    expect(res.status).toBe(422);
  });

  it("401 stale_timestamp beyond 300 s either way, after the signature checks out", async () => {
    const body = JSON.stringify(ev.meta({ name: "late" }));
    for (const offsetMs of [-301_000, 301_000, -3_600_000, 86_400_000]) {
      const res = await postRaw(channel, body, await signedHeaders(body, Date.now() + offsetMs));
      const seconds = Math.abs(offsetMs / 1000);
      await expectError(res, 401, {
        code: "stale_timestamp",
        message: new RegExp(`^X-Hub-Timestamp is (${seconds - 1}|${seconds}|${seconds + 1}) s from the server clock \\(at most 300 s\\)$`),
      });
    }
  });

  it("413 too_large above 1 MiB, with or without Content-Length", async () => {
    const body = paddedEventBody(MAX_WEBHOOK_BODY_BYTES + 1);
    const message = `the body is larger than ${MAX_WEBHOOK_BODY_BYTES} bytes`;
    await expectError(await postRaw(channel, body, await signedHeaders(body)), 413, { code: "too_large", message });

    // A streamed body has no Content-Length: the cap must hold while reading.
    const bytes = new TextEncoder().encode(body);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 64 * 1024) controller.enqueue(bytes.slice(i, i + 64 * 1024));
        controller.close();
      },
    });
    await expectError(await postRaw(channel, stream, await signedHeaders(body)), 413, { code: "too_large", message });
  });

  it("400 bad_json for a body that is not JSON (or not UTF-8)", async () => {
    for (const body of ["not json", "", "{", '{"a":1} trailing']) {
      const res = await postRaw(channel, body, await signedHeaders(body));
      await expectError(res, 400, { code: "bad_json", message: /^the body is not JSON: .+/ });
    }
    const invalidUtf8 = new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]); // {"a":"\xff\xfe"}
    await expectError(await postRaw(channel, invalidUtf8, await signedHeaders(invalidUtf8)), 400, { code: "bad_json", message: /^the body is not JSON: .+/ });
  });

  it("422 invalid_event lists every issue with index, path and message", async () => {
    const bad = { id: "e1", type: "agent.status", occurredAt: "yesterday", data: { agentId: "a 1", status: "sleeping" } };
    const res = await hub.post(channel, bad);
    await expectError(res, 422, {
      code: "invalid_event",
      message: "the event does not match the schema",
      details: {
        issues: [
          { index: 0, path: "occurredAt", message: "must be an ISO-8601 date-time with a time zone" },
          { index: 0, path: "data.agentId", message: "agentId must be 1-128 of A-Z a-z 0-9 . _ : @ / - (starting alphanumeric)" },
          { index: 0, path: "data.status", message: 'Invalid type: Expected ("online" | "offline" | "busy" | "idle" | "error") but received "sleeping"' },
        ],
      },
    });
  });

  it("422 for an unknown type, a missing id, an impossible date and a date without zone", async () => {
    const cases: [unknown, { path: string; message: string | RegExp }][] = [
      [{ id: "e", type: "agent.dance", occurredAt: new Date().toISOString(), data: {} }, { path: "type", message: /^type must be one of agent\.status, / }],
      [{ type: "project.meta", occurredAt: new Date().toISOString(), data: {} }, { path: "id", message: /.+/ }],
      [{ id: "", type: "project.meta", occurredAt: new Date().toISOString(), data: {} }, { path: "id", message: "must not be empty" }],
      [{ id: "e", type: "project.meta", occurredAt: "2026-02-30T10:00:00Z", data: {} }, { path: "occurredAt", message: "is not a real date-time" }],
      [{ id: "e", type: "project.meta", occurredAt: "2026-02-03T10:00:00", data: {} }, { path: "occurredAt", message: "must be an ISO-8601 date-time with a time zone" }],
      [{ id: "x".repeat(129), type: "project.meta", occurredAt: new Date().toISOString(), data: {} }, { path: "id", message: "must be at most 128 characters" }],
    ];
    for (const [event, issue] of cases) {
      const res = await hub.post(channel, event);
      const body = await expectError(res, 422, { code: "invalid_event", message: "the event does not match the schema", details: expect.anything() });
      const issues = (body.error.details as { issues: { index: number; path: string; message: string }[] }).issues;
      expect(issues, JSON.stringify(event)).toContainEqual({
        index: 0,
        path: issue.path,
        message: typeof issue.message === "string" ? issue.message : expect.stringMatching(issue.message),
      });
    }
  });

  it("422 for a batch with one bad event, and none of the good ones is stored", async () => {
    const good = ev.taskUpsert({ id: 2, title: "Two" });
    const bad = { ...ev.taskProgress(1, 150), id: "bad-progress" };
    const res = await hub.post(channel, { events: [good, bad, good] });
    await expectError(res, 422, {
      code: "invalid_event",
      message: "1 of 3 events do not match the schema; nothing was stored",
      details: { issues: [{ index: 1, path: "data.percent", message: expect.any(String) }] },
    });
  });

  it("422 for an event dated beyond the clock skew: it would lock its entity until then", async () => {
    const future = ev.agentStatus("a1", "offline", { occurredAt: "2099-01-01T00:00:00Z" });
    const soon = ev.taskUpsert({ id: 1, title: "ahead" }, { occurredAt: new Date(Date.now() + 400_000).toISOString() });
    const fine = ev.taskUpsert({ id: 3, title: "now" });
    await expectError(await hub.post(channel, { events: [fine, future, soon] }), 422, {
      code: "invalid_event",
      message: "2 of 3 events are dated more than 300 s in the future; nothing was stored",
      details: {
        issues: [
          { index: 1, path: "occurredAt", message: "is more than 300 s ahead of the server clock" },
          { index: 2, path: "occurredAt", message: "is more than 300 s ahead of the server clock" },
        ],
      },
    });
  });

  it("422 for an empty batch, an oversized batch and `events` that is not an array", async () => {
    for (const count of [0, MAX_EVENTS_PER_BATCH + 1]) {
      const events = Array.from({ length: count }, () => ev.meta({ name: "n" }));
      await expectError(await hub.post(channel, { events }), 422, {
        code: "invalid_event",
        message: `a batch holds 1 to ${MAX_EVENTS_PER_BATCH} events, not ${count}`,
        details: { issues: [{ index: 0, path: "events", message: `must hold 1 to ${MAX_EVENTS_PER_BATCH} events` }] },
      });
    }
    await expectError(await hub.post(channel, { events: { 0: ev.meta({}) } }), 422, {
      code: "invalid_event",
      message: "`events` must be an array",
      details: { issues: [{ index: 0, path: "events", message: "must be an array" }] },
    });
  });

  it("405 for other methods on the webhook path", async () => {
    const res = await fetchHub(HUB_URL + Paths.webhook(channel));
    await expectError(res, 405, { code: "method_not_allowed", message: `GET is not allowed on /webhooks/${channel}` });
  });

  it("accepts a body of exactly 1 MiB", async () => {
    // Runs last in this block on purpose: it changes the state, so refresh the baseline.
    const body = paddedEventBody(MAX_WEBHOOK_BODY_BYTES);
    expect(new TextEncoder().encode(body).byteLength).toBe(MAX_WEBHOOK_BODY_BYTES);
    const res = await postRaw(channel, body, await signedHeaders(body));
    expect(res.status, await res.clone().text()).toBe(202);
    expect(await res.json()).toStrictEqual({ accepted: 1, duplicates: 0, stale: 0, head: 3 });
    before = await snapshot(channel);
    acceptedBefore = (await metrics(channel)).events.accepted;
    expect(before.state.meta).toStrictEqual({ name: "padded" });
  });
});

describe("rejections and the channel's object", () => {
  it("refusals not signed with the channel's key, and late ones, create no channel object", async () => {
    const channel = uniqueChannel("stranger");
    const body = JSON.stringify(ev.meta({ name: "x" }));
    const headers = await hub.signedHeaders(channel, body);
    expect((await postRaw(channel, body, { ...headers, "x-hub-signature": "sha256=" + "0".repeat(64) })).status).toBe(401);
    expect((await postRaw(channel, body, { "content-type": "application/json" })).status).toBe(401);
    expect((await postRaw(channel, body, await webhookHeaders(TEST_SECRETS.WEBHOOK_SECRET, body))).status).toBe(401);
    expect((await postRaw(channel, paddedEventBody(MAX_WEBHOOK_BODY_BYTES + 1), headers)).status).toBe(413);
    // Signed with the right key but late: possibly a replayed capture, so it is not even counted.
    expect((await postRaw(channel, body, await hub.signedHeaders(channel, body, { nowMs: Date.now() - 600_000 }))).status).toBe(401);
    expect(await channelObjectExists(channel)).toBe(false);
  });

  it("signed refusals count against a channel that exists, not late ones", async () => {
    const channel = uniqueChannel("counted");
    // Before the channel exists (it has accepted no event), a signed refusal stores nothing either.
    expect((await hub.post(channel, "nope")).status).toBe(400);
    expect((await hub.post(channel, { id: "x" })).status).toBe(422);
    expect((await metrics(channel)).events).toStrictEqual({ accepted: 0, duplicate: 0, stale: 0, rejected: 0 });
    expect((await channelStorage(channel)).tables).toStrictEqual([]);
    await send(channel, ev.meta({ name: "exists" }));
    const body = JSON.stringify(ev.meta({ name: "late" }));
    expect((await postRaw(channel, body, await hub.signedHeaders(channel, body, { nowMs: Date.now() - 600_000 }))).status).toBe(401);
    expect((await hub.post(channel, "nope")).status).toBe(400);
    expect((await hub.post(channel, { id: "x" })).status).toBe(422);
    // Counted after the answer (waitUntil): poll briefly.
    let m = await metrics(channel);
    for (let i = 0; i < 50 && m.events.rejected < 2; i++) {
      await new Promise((r) => setTimeout(r, 20));
      m = await metrics(channel);
    }
    expect(m.events).toStrictEqual({ accepted: 1, duplicate: 0, stale: 0, rejected: 2 });
    const snap = await snapshot(channel);
    expect(snap.seq).toBe(1);
    expect(snap.state).toStrictEqual({ meta: { name: "exists" }, agents: {}, tasks: {}, health: {} });
  });

  it("the object ignores a rejection count for a channel that has accepted no event", async () => {
    const channel = uniqueChannel("empty-count");
    await channelObject(channel).recordRejection();
    expect((await metrics(channel)).events.rejected).toBe(0);
    expect((await channelStorage(channel)).tables).toStrictEqual([]);
  });
});
