import { describe, expect, it } from "vitest";
import type { HubEvent } from "../../../protocol/index.ts";
import { DeliveryLoop } from "../../../bridge/src/delivery/delivery-loop.ts";
import type { PostOutcome } from "../../../bridge/src/delivery/hub-poster.ts";
import type { Logger } from "../../../bridge/src/log.ts";
import { MemoryDeadLetters, MemoryOutbox } from "../../../bridge/src/outbox/memory-outbox.ts";

const event = (n: number): HubEvent => ({ id: `e-${n}`, type: "task.removed", occurredAt: "2026-03-01T10:00:00.000Z", data: { taskId: String(n) } });
const ok: PostOutcome = { kind: "accepted", result: { accepted: 1, duplicates: 0, stale: 0, head: 1 } };

/** A loop whose hub answers from `answer(batch)`; records every batch it was sent. */
function setup(answer: (batch: readonly HubEvent[]) => PostOutcome) {
  const outbox = new MemoryOutbox();
  const deadLetters = new MemoryDeadLetters();
  const lines: string[] = [];
  const log: Logger = { info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m), debug() {} };
  const sent: string[][] = [];
  const loop = new DeliveryLoop({
    outbox,
    deadLetters,
    log,
    hubLabel: "hub",
    backoff: { baseMs: 1, capMs: 5, floorMs: 1 },
    slowRetryMs: 5,
    post: async (batch) => {
      sent.push(batch.map((e) => e.id));
      return answer(batch);
    },
  });
  return { outbox, deadLetters, lines, sent, loop };
}

describe("DeliveryLoop", () => {
  it("retries while the hub is down, says so with the outbox size, then delivers in order", async () => {
    let calls = 0;
    const t = setup(() => (++calls <= 3 ? { kind: "unreachable", message: "connect ECONNREFUSED" } : ok));
    await t.outbox.append([event(1), event(2)]);
    t.loop.start();
    expect(await t.loop.flush(2000)).toBe(true);
    await t.loop.stop();
    expect(t.sent).toEqual([["e-1", "e-2"], ["e-1", "e-2"], ["e-1", "e-2"], ["e-1", "e-2"]]);
    expect(t.lines[0]).toMatch(/unreachable \(connect ECONNREFUSED\); retrying in .* s; 2 event\(s\) waiting in the outbox/);
    expect(t.lines.at(-1)).toMatch(/answering again/);
  });

  it("keeps events after a 401 and says to check the secret", async () => {
    let calls = 0;
    const t = setup(() => (++calls === 1 ? { kind: "unauthorized", code: "bad_signature", message: "the hub rejected the signature: check the channel's key" } : ok));
    await t.outbox.append([event(1)]);
    t.loop.start();
    expect(await t.loop.flush(2000)).toBe(true);
    await t.loop.stop();
    expect(t.sent).toEqual([["e-1"], ["e-1"]]);
    expect(t.lines[0]).toMatch(/check the channel's key\. Retrying in 0 s; 1 event\(s\) kept in the outbox/);
    expect(t.deadLetters.entries).toEqual([]);
  });

  it("waits out a Retry-After (capped at 5 min by the poster) before the next try", async () => {
    const t = setup(() => ({ kind: "retry", status: 429, message: "429 slow down", retryAfterMs: 300_000 }));
    await t.outbox.append([event(1)]);
    t.loop.start();
    expect(await t.loop.flush(100)).toBe(false);
    await t.loop.stop();
    expect(t.sent).toEqual([["e-1"]]);
    expect(t.lines[0]).toMatch(/answered 429 slow down; retrying in 300\.0 s/);
  });

  it("a Retry-After of 0 does not make a tight loop: the backoff still applies", async () => {
    const outbox = new MemoryOutbox();
    const lines: string[] = [];
    const loop = new DeliveryLoop({
      outbox,
      deadLetters: new MemoryDeadLetters(),
      log: { info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m), debug() {} },
      hubLabel: "hub",
      backoff: { baseMs: 60_000, capMs: 60_000, floorMs: 60_000 },
      post: async () => ({ kind: "retry", status: 503, message: "503 busy", retryAfterMs: 0 }),
    });
    await outbox.append([event(1)]);
    loop.start();
    expect(await loop.flush(100)).toBe(false);
    await loop.stop();
    expect(lines).toEqual(["the hub hub answered 503 busy; retrying in 60.0 s; 1 event(s) waiting in the outbox"]);
  });

  it("keeps events while the hub is not configured, and says so", async () => {
    let calls = 0;
    const t = setup(() => (++calls === 1 ? { kind: "unconfigured", message: "the hub is not configured (the hub has no WEBHOOK_SECRET)" } : ok));
    await t.outbox.append([event(1)]);
    t.loop.start();
    expect(await t.loop.flush(2000)).toBe(true);
    await t.loop.stop();
    expect(t.sent).toEqual([["e-1"], ["e-1"]]);
    expect(t.lines[0]).toMatch(/^the hub is not configured \(the hub has no WEBHOOK_SECRET\)\. Retrying in 0 s; 1 event\(s\) kept in the outbox/);
  });

  it("dead-letters the events a 422 names and sends the rest", async () => {
    const t = setup((batch) =>
      batch.some((e) => e.id === "e-2") ? { kind: "rejected", status: 422, code: "invalid_event", message: "bad", badIndexes: [batch.findIndex((e) => e.id === "e-2")] } : ok,
    );
    await t.outbox.append([event(1), event(2), event(3)]);
    t.loop.start();
    expect(await t.loop.flush(2000)).toBe(true);
    await t.loop.stop();
    expect(t.sent).toEqual([["e-1", "e-2", "e-3"], ["e-1", "e-3"]]);
    expect(t.deadLetters.entries.map((d) => [(d.event as HubEvent).id, d.reason])).toEqual([["e-2", "422 invalid_event: bad"]]);
  });

  it("halves a batch the hub refuses without naming a culprit, until the culprit is alone", async () => {
    const t = setup((batch) => (batch.some((e) => e.id === "e-3") ? { kind: "rejected", status: 400, code: "bad_json", message: "?", badIndexes: null } : ok));
    await t.outbox.append([1, 2, 3, 4].map(event));
    t.loop.start();
    expect(await t.loop.flush(2000)).toBe(true);
    await t.loop.stop();
    expect(t.deadLetters.entries.map((d) => (d.event as HubEvent).id)).toEqual(["e-3"]);
    expect(t.sent.flat().filter((id) => id !== "e-3").sort()).toEqual(expect.arrayContaining(["e-1", "e-2", "e-4"]));
    expect(t.outbox.size).toBe(0);
  });

  it("stops while the hub is down, leaving the events queued", async () => {
    const t = setup(() => ({ kind: "unreachable", message: "down" }));
    await t.outbox.append([event(1)]);
    t.loop.start();
    expect(await t.loop.flush(50)).toBe(false);
    await t.loop.stop();
    expect(t.outbox.size).toBe(1);
  });
});
