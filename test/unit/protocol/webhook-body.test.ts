import { describe, expect, it } from "vitest";
import { MAX_EVENTS_PER_BATCH, parseWebhookBody } from "../../../protocol/index.ts";

const ok = { id: "e1", type: "task.progress", occurredAt: "2026-11-01T10:00:00Z", data: { taskId: 3, percent: 50 } };

describe("parseWebhookBody", () => {
  it("accepts one event or a batch", () => {
    expect(parseWebhookBody(ok)).toMatchObject({ ok: true, events: [ok] });
    expect(parseWebhookBody({ events: [ok, { ...ok, id: "e2" }] })).toMatchObject({ ok: true, events: [{ id: "e1" }, { id: "e2" }] });
  });

  it("lists every issue with the event index and path, and rejects the whole batch", () => {
    const r = parseWebhookBody({ events: [ok, { ...ok, id: "", data: { taskId: 3, percent: 101 } }, { ...ok, type: "nope" }] });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.message).toBe("2 of 3 events do not match the schema; nothing was stored");
    expect(r.issues).toEqual([
      { index: 1, path: "id", message: "must not be empty" },
      { index: 1, path: "data.percent", message: expect.stringContaining("100") },
      { index: 2, path: "type", message: expect.stringContaining("type must be one of") },
    ]);
  });

  it.each([
    ["occurredAt without zone", { ...ok, occurredAt: "2026-11-01T10:00:00" }, "occurredAt"],
    ["impossible date", { ...ok, occurredAt: "2026-13-45T10:00:00Z" }, "occurredAt"],
    ["id too long", { ...ok, id: "x".repeat(129) }, "id"],
    ["bad status", { ...ok, type: "task.upsert", data: { task: { id: 1, status: "finished" } } }, "data.task.status"],
    ["bad agent status", { ...ok, type: "agent.status", data: { agentId: "a", status: "sleeping" } }, "data.status"],
    ["negative queue depth", { ...ok, type: "health.sample", data: { source: "h", queueDepth: -1 } }, "data.queueDepth"],
    ["memory used > total", { ...ok, type: "health.sample", data: { source: "h", memory: { usedBytes: 2, totalBytes: 1 } } }, "data.memory"],
    ["tag with slash", { ...ok, data: { tag: "a/b", taskId: 1, percent: 1 } }, "data.tag"],
    ["missing data", { id: "x", type: "project.meta", occurredAt: ok.occurredAt }, "data"],
  ])("rejects %s at %s", (_, event, path) => {
    const r = parseWebhookBody(event);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.path)).toContain(path);
  });

  it("bounds a batch to 1..MAX_EVENTS_PER_BATCH", () => {
    expect(parseWebhookBody({ events: [] }).ok).toBe(false);
    expect(parseWebhookBody({ events: Array.from({ length: MAX_EVENTS_PER_BATCH }, (_, i) => ({ ...ok, id: `e${i}` })) }).ok).toBe(true);
    const tooMany = parseWebhookBody({ events: Array.from({ length: MAX_EVENTS_PER_BATCH + 1 }, (_, i) => ({ ...ok, id: `e${i}` })) });
    expect(tooMany).toMatchObject({ ok: false, issues: [{ index: 0, path: "events" }] });
    expect(parseWebhookBody({ events: "nope" })).toMatchObject({ ok: false, message: "`events` must be an array" });
  });

  it("strips unknown fields instead of storing them", () => {
    const r = parseWebhookBody({ ...ok, extra: 1, data: { ...ok.data, sneaky: true } });
    expect(r).toMatchObject({ ok: true });
    if (r.ok) expect(r.events[0]).toEqual(ok);
  });
});
