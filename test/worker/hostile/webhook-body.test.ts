/**
 * Hostile webhook bodies against the real Worker: size, encoding, JSON shape.
 * Each refusal has its exact status and body, stores nothing, and the channel
 * keeps serving its viewer.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_EVENTS_PER_BATCH, MAX_EVENT_BYTES, MAX_WEBHOOK_BODY_BYTES } from "../../../protocol/index.ts";
import { ev, isoAt } from "../../../dev/events.ts";
import { eventOfBytes } from "../../../dev/sized-event.ts";
import { expectError } from "../support/http-expect.ts";
import { hub, snapshot, uniqueChannel } from "../support/hub.ts";
import { SocketProbe } from "../support/socket-probe.ts";
import { expectNeverCreated, openTarget, refusedWithoutTrace, type Target } from "./hostile-support.ts";

const NOT_SCHEMA = "the event does not match the schema";
const metaJson = (name: string) => JSON.stringify(ev.meta({ name }));

let target: Target;
beforeAll(async () => {
  target = await openTarget("hostile-body");
});
afterAll(() => SocketProbe.closeAll());

describe("refused bodies", () => {
  it("413 too_large for a body one byte over the limit, on a known and on an unknown channel", async () => {
    const body = metaJson("big") + " ".repeat(MAX_WEBHOOK_BODY_BYTES);
    const tooLarge = { code: "too_large", message: `the body is larger than ${MAX_WEBHOOK_BODY_BYTES} bytes` } as const;
    await refusedWithoutTrace(target, async () => {
      await expectError(await hub.post(target.channel, body.slice(0, MAX_WEBHOOK_BODY_BYTES + 1)), 413, tooLarge);
    });
    const stranger = uniqueChannel("hostile-big");
    await expectError(await hub.post(stranger, body.slice(0, MAX_WEBHOOK_BODY_BYTES + 1)), 413, tooLarge);
    await expectNeverCreated(stranger);
  });

  it("400 bad_json for text that is not JSON, truncated JSON, and a trailing comma", async () => {
    for (const body of ["not json", metaJson("cut").slice(0, -1), '{"events":[1,]}', ""]) {
      await refusedWithoutTrace(target, async () => {
        await expectError(await hub.post(target.channel, body), 400, { code: "bad_json", message: /^the body is not JSON: / });
      });
    }
  });

  it("400 bad_json for NUL bytes outside or raw inside a string, 422 for an escaped NUL in the id", async () => {
    for (const body of [metaJson("nul") + "\u0000", `{"id":"a\u0000b","type":"project.meta","occurredAt":"${isoAt()}","data":{}}`]) {
      await refusedWithoutTrace(target, async () => {
        await expectError(await hub.post(target.channel, body), 400, { code: "bad_json", message: /^the body is not JSON: / });
      });
    }
    await refusedWithoutTrace(target, async () => {
      const body = `{"id":"a\\u0000b","type":"project.meta","occurredAt":"${isoAt()}","data":{}}`;
      await expectError(await hub.post(target.channel, body), 422, {
        code: "invalid_event",
        message: NOT_SCHEMA,
        details: { issues: [{ index: 0, path: "id", message: "must be printable ASCII (0x20-0x7E), without control characters" }] },
      });
    });
  });

  it("400 bad_json for a second byte order mark (the first is ignored, as RFC 8259 allows)", async () => {
    await refusedWithoutTrace(target, async () => {
      await expectError(await hub.post(target.channel, "\ufeff\ufeff" + metaJson("bom")), 400, { code: "bad_json", message: /^the body is not JSON: / });
    });
  });

  it(`422 for a batch of ${MAX_EVENTS_PER_BATCH + 1}`, async () => {
    const events = Array.from({ length: MAX_EVENTS_PER_BATCH + 1 }, () => ev.heartbeat("a1"));
    await refusedWithoutTrace(target, async () => {
      await expectError(await hub.post(target.channel, { events }), 422, {
        code: "invalid_event",
        message: `a batch holds 1 to ${MAX_EVENTS_PER_BATCH} events, not ${MAX_EVENTS_PER_BATCH + 1}`,
        details: { issues: [{ index: 0, path: "events", message: `must hold 1 to ${MAX_EVENTS_PER_BATCH} events` }] },
      });
    });
  });

  it("422 when a duplicate key's last value is invalid: the hub reads JSON as JSON.parse does, last value wins", async () => {
    const body = `{"id":"dup-1","type":"project.meta","type":"project.delete","occurredAt":"${isoAt()}","data":{}}`;
    await refusedWithoutTrace(target, async () => {
      const res = await hub.post(target.channel, body);
      await expectError(res, 422, { code: "invalid_event", message: NOT_SCHEMA, details: { issues: [{ index: 0, path: "type", message: expect.stringContaining("type must be one of") }] } });
    });
  });

  it("422 when the fields hide under __proto__: the prototype supplies nothing", async () => {
    const hidden = `{"__proto__":${metaJson("proto")}}`;
    const hiddenAgent = `{"id":"p-1","type":"agent.status","occurredAt":"${isoAt()}","data":{"__proto__":{"agentId":"a1"},"status":"idle"}}`;
    await refusedWithoutTrace(target, async () => {
      await expectError(await hub.post(target.channel, hidden), 422, {
        code: "invalid_event",
        message: NOT_SCHEMA,
        details: { issues: [{ index: 0, path: "type", message: expect.stringContaining("type must be one of") }] },
      });
    });
    await refusedWithoutTrace(target, async () => {
      await expectError(await hub.post(target.channel, hiddenAgent), 422, {
        code: "invalid_event",
        message: NOT_SCHEMA,
        details: { issues: [{ index: 0, path: "data.agentId", message: expect.any(String) }] },
      });
    });
  });
});

describe("bodies at the edge that are valid", () => {
  it("accepts a batch of one event of exactly MAX_EVENT_BYTES: a body of exactly the limit", async () => {
    const event = eventOfBytes(MAX_EVENT_BYTES, { id: "biggest", occurredAt: isoAt() });
    const body = JSON.stringify({ events: [event] });
    expect(new TextEncoder().encode(body).length).toBe(MAX_WEBHOOK_BODY_BYTES);
    const res = await hub.post(target.channel, body);
    expect(res.status, await res.clone().text()).toBe(202);
    expect(await res.json()).toMatchObject({ accepted: 1 });
    expect((await snapshot(target.channel)).state.tasks.master?.["1"]?.description).toHaveLength(200_000);
  });

  it("ignores one leading byte order mark", async () => {
    const res = await hub.post(target.channel, "\ufeff" + metaJson("bom-ok"));
    expect(res.status).toBe(202);
    expect((await snapshot(target.channel)).state.meta.name).toBe("bom-ok");
  });

  it("keeps a metadata key __proto__ as plain data, without touching any prototype", async () => {
    const body = `{"id":"proto-meta","type":"task.upsert","occurredAt":"${isoAt()}","data":{"task":{"id":"p","metadata":{"__proto__":{"admin":true},"constructor":"x"}}}}`;
    expect((await hub.post(target.channel, body)).status).toBe(202);
    const task = (await snapshot(target.channel)).state.tasks.master?.p;
    expect(JSON.stringify(task?.metadata)).toBe('{"__proto__":{"admin":true},"constructor":"x"}');
  });
});
