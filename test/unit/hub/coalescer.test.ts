import { describe, expect, it } from "vitest";
import type { Change } from "../../../protocol/index.ts";
import { Coalescer, isConflatable, mergeChanges } from "../../../worker/channel/coalescer.ts";

const progress = (percent: number): Change => ({ kind: "task", op: "patch", tag: "master", key: "1", value: { progress: { percent, at: `t${percent}` }, updatedAt: `t${percent}` } });
const sample = (cpu: number): Change => ({ kind: "health", op: "append", key: "h", value: { at: `t${cpu}`, cpu }, limit: 5 });
const cause = (id: string) => ({ type: "task.progress" as const, id });

describe("isConflatable", () => {
  it("holds progress, heartbeats that only refresh, and health samples", () => {
    expect(isConflatable("task.progress", [progress(1)])).toBe(true);
    expect(isConflatable("agent.heartbeat", [{ kind: "agent", op: "patch", key: "a", value: { lastSeenAt: "x", updatedAt: "y" } }])).toBe(true);
    expect(isConflatable("health.sample", [sample(1)])).toBe(true);
  });

  it("never holds a status change, a new entity, another event type or no change at all", () => {
    expect(isConflatable("agent.heartbeat", [{ kind: "agent", op: "patch", key: "a", value: { lastSeenAt: "x", status: "online", detail: null } }])).toBe(false);
    expect(isConflatable("agent.heartbeat", [{ kind: "agent", op: "set", key: "a", value: { id: "a", status: "online", taskId: null, detail: null, lastSeenAt: "x", updatedAt: "x" } }])).toBe(false);
    expect(isConflatable("task.progress", [{ kind: "task", op: "set", tag: "master", key: "1", value: { id: "1", tag: "master", status: "pending", dependencies: [], subtasks: [], updatedAt: "x" } }])).toBe(false);
    expect(isConflatable("task.upsert", [progress(1)])).toBe(false);
    expect(isConflatable("task.progress", [])).toBe(false);
  });
});

describe("mergeChanges", () => {
  it("keeps the latest patch fields of an entity and appends every health sample", () => {
    expect(mergeChanges([progress(1), sample(1)], [progress(2), sample(2)])).toEqual([progress(2), sample(1), sample(2)]);
  });

  it("keeps patches of different entities apart", () => {
    const other: Change = { ...progress(3), key: "2" } as Change;
    expect(mergeChanges([progress(1)], [other])).toEqual([progress(1), other]);
  });
});

describe("Coalescer on a fake clock", () => {
  it("sends the first update at once and merges the rest of the window into one, due when the window ends", () => {
    const c = new Coalescer(100);
    expect(c.offer("task/master/1", 0, [progress(0)], cause("e0"))).toBe("send");
    for (let ms = 1; ms <= 99; ms++) expect(c.offer("task/master/1", ms, [progress(ms)], cause(`e${ms}`))).toBe("held");
    expect(c.nextDueAtMs()).toBe(100);
    expect(c.takeDue(99)).toEqual([]);
    const [held, ...rest] = c.takeDue(100);
    expect(rest).toEqual([]);
    expect(held).toEqual({ key: "task/master/1", dueAtMs: 100, changes: [progress(99)], cause: cause("e99"), ids: Array.from({ length: 99 }, (_, i) => `e${i + 1}`) });
    expect(c.hasPending).toBe(false);
    expect(c.nextDueAtMs()).toBeNull();
  });

  it("sends at most one update per entity per window at a steady 1,000 updates/s", () => {
    const c = new Coalescer(100);
    let sent = 0;
    let last = -1;
    for (let ms = 0; ms < 1000; ms++) {
      sent += c.takeDue(ms).length;
      if (c.offer("k", ms, [progress(ms % 101)], cause(`e${ms}`)) === "send") sent++;
      last = ms;
    }
    sent += c.takeAll(last).length;
    expect(sent).toBeLessThanOrEqual(11);
    expect(sent).toBeGreaterThanOrEqual(10);
  });

  it("windows entities independently", () => {
    const c = new Coalescer(100);
    expect(c.offer("a", 0, [progress(1)], cause("a1"))).toBe("send");
    expect(c.offer("b", 50, [sample(1)], cause("b1"))).toBe("send");
    expect(c.offer("a", 60, [progress(2)], cause("a2"))).toBe("held");
    expect(c.offer("b", 70, [sample(2)], cause("b2"))).toBe("held");
    expect(c.takeDue(100).map((u) => u.key)).toEqual(["a"]);
    expect(c.takeDue(150).map((u) => u.key)).toEqual(["b"]);
  });

  it("counts a flushed update as sent: the next one within a window of it is held", () => {
    const c = new Coalescer(100);
    c.offer("k", 0, [progress(1)], cause("1"));
    c.offer("k", 10, [progress(2)], cause("2"));
    expect(c.takeAll(20)).toHaveLength(1);
    expect(c.offer("k", 30, [progress(3)], cause("3"))).toBe("held");
    expect(c.nextDueAtMs()).toBe(120);
    expect(c.offer("k", 121, [progress(4)], cause("4"))).toBe("held");
  });

  it("a window of 0 sends everything at once", () => {
    const c = new Coalescer(0);
    for (let i = 0; i < 5; i++) expect(c.offer("k", 7, [progress(i)], cause(`${i}`))).toBe("send");
    expect(c.hasPending).toBe(false);
  });

  it("starts from persisted held updates (after an eviction) and sends them when due", () => {
    const first = new Coalescer(100);
    first.offer("k", 0, [sample(1)], cause("1"));
    first.offer("k", 10, [sample(2)], cause("2"));
    first.offer("k", 20, [sample(3)], cause("3"));
    const reborn = new Coalescer(100, JSON.parse(JSON.stringify(first.pending())));
    expect(reborn.nextDueAtMs()).toBe(100);
    expect(reborn.offer("k", 30, [sample(4)], cause("4"))).toBe("held");
    expect(reborn.takeDue(100)).toEqual([{ key: "k", dueAtMs: 100, changes: [sample(2), sample(3), sample(4)], cause: cause("4"), ids: ["2", "3", "4"] }]);
  });
});
