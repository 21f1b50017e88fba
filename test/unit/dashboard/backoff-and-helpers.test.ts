import { describe, expect, it } from "vitest";
import { applyChanges, backoffDelayMs, backoffWindowMs, emptyState, type Change, type ChannelState, type DeltaFrame } from "../../../protocol/index.ts";
import { applyChangesCopyOnWrite, DEFAULT_BACKOFF, parseDeltasResponse } from "../../../dashboard/src/lib/live/index.ts";
import { ActivityFeed } from "../../../dashboard/src/lib/live/activity-feed.ts";
import { RateMeter } from "../../../dashboard/src/lib/live/debug-recorder.ts";
import { agentSet } from "./harness.ts";

describe("full-jitter backoff", () => {
  it("draws each delay from [0, min(cap, base·2^(n-1)))", () => {
    const table = [1, 2, 3, 4, 5, 6, 7, 8, 20].map((n) => backoffWindowMs(n, DEFAULT_BACKOFF));
    expect(table).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    for (let attempt = 1; attempt <= 12; attempt++) {
      const window = backoffWindowMs(attempt, DEFAULT_BACKOFF);
      expect(backoffDelayMs(attempt, DEFAULT_BACKOFF, () => 0)).toBe(0);
      const top = backoffDelayMs(attempt, DEFAULT_BACKOFF, () => 0.999999);
      expect(top).toBeLessThan(window);
      expect(top).toBeGreaterThanOrEqual(Math.floor(window * 0.999) - 1);
    }
  });

  it("spreads clients that retry at the same moment (no lockstep)", () => {
    const delays = Array.from({ length: 200 }, () => backoffDelayMs(5, DEFAULT_BACKOFF));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThan(8000);
    expect(new Set(delays).size).toBeGreaterThan(150);
  });

  it("keeps a minimum window (rate limited) but never above the cap", () => {
    expect(backoffWindowMs(1, { ...DEFAULT_BACKOFF, minWindowMs: 5000 })).toBe(5000);
    expect(backoffWindowMs(10, { ...DEFAULT_BACKOFF, minWindowMs: 5000 })).toBe(30000);
    expect(backoffWindowMs(1, { baseMs: 500, capMs: 2000, minWindowMs: 5000 })).toBe(2000);
  });
});

describe("applyChangesCopyOnWrite", () => {
  const base = (): ChannelState => {
    const s = emptyState();
    applyChanges(s, [
      agentSet("a1"),
      { kind: "task", op: "set", tag: "master", key: "1", value: { id: "1", tag: "master", status: "pending", dependencies: [], subtasks: [], updatedAt: "2026-01-01T00:00:00Z" } },
      { kind: "health", op: "append", key: "host", value: { at: "2026-01-01T00:00:00Z", cpu: 1 }, limit: 3 },
    ]);
    return s;
  };

  it("equals applyChanges and leaves the base untouched, sharing what did not change", () => {
    const before = base();
    const frozen = structuredClone(before);
    const changes: Change[] = [
      { kind: "agent", op: "patch", key: "a1", value: { status: "busy" } },
      { kind: "task", op: "patch", tag: "master", key: "1", value: { status: "in-progress" } },
      { kind: "health", op: "append", key: "host", value: { at: "2026-01-01T00:00:01Z", cpu: 2 }, limit: 3 },
      { kind: "meta", op: "patch", value: { name: "p" } },
    ];
    const next = applyChangesCopyOnWrite(before, changes);
    const expected = structuredClone(before);
    applyChanges(expected, changes);
    expect(next).toEqual(expected);
    expect(before).toEqual(frozen);
    expect(next.agents).not.toBe(before.agents);
    expect(next.agents["a1"]).not.toBe(before.agents["a1"]);
    const onlyAgent = applyChangesCopyOnWrite(before, [agentSet("a2")]);
    expect(onlyAgent.tasks).toBe(before.tasks);
    expect(onlyAgent.health).toBe(before.health);
    expect(onlyAgent.agents["a1"]).toBe(before.agents["a1"]);
  });

  it("matches applyChanges over random change sequences", () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    for (let round = 0; round < 200; round++) {
      const cow = base();
      const plain = structuredClone(cow);
      let state = cow;
      for (let step = 0; step < 20; step++) {
        const id = String(rand(4));
        const options: Change[] = [
          agentSet(`a${id}`),
          { kind: "task", op: "set", tag: `t${rand(2)}`, key: id, value: { id, tag: "t", status: "pending", dependencies: [], subtasks: [], updatedAt: "x" } },
          { kind: "health", op: "append", key: `h${rand(2)}`, value: { at: String(step), cpu: step }, limit: 3 },
          { kind: "meta", op: "patch", value: { currentTag: id } },
        ];
        const change = options[rand(options.length)]!;
        const previous = state;
        const previousCopy = structuredClone(previous);
        state = applyChangesCopyOnWrite(state, [change]);
        applyChanges(plain, [change]);
        expect(state).toEqual(plain);
        expect(previous).toEqual(previousCopy);
      }
    }
  });

  it("throws on a conflict without touching the base (no half-applied delta)", () => {
    const before = base();
    const frozen = structuredClone(before);
    expect(() => applyChangesCopyOnWrite(before, [agentSet("new"), { kind: "agent", op: "patch", key: "ghost", value: { status: "busy" } }])).toThrow(/no such agent/);
    expect(before).toEqual(frozen);
  });

  it("treats ids like 'constructor' as ids, not as Object.prototype members", () => {
    expect(() => applyChangesCopyOnWrite(base(), [{ kind: "agent", op: "patch", key: "constructor", value: { status: "busy" } }])).toThrow(/no such agent/);
    const next = applyChangesCopyOnWrite(base(), [agentSet("constructor"), { kind: "agent", op: "patch", key: "constructor", value: { status: "idle" } }]);
    expect(next.agents["constructor"]?.status).toBe("idle");
  });
});

describe("parseDeltasResponse", () => {
  const delta: DeltaFrame = { type: "delta", epoch: "e", seq: 1, at: "2026-01-01T00:00:00Z", changes: [agentSet("a")] };
  it("accepts both shapes and rejects malformed ones", () => {
    expect(parseDeltasResponse({ recovered: true, epoch: "e", head: 1, deltas: [delta] })).not.toBeNull();
    expect(parseDeltasResponse({ recovered: false, snapshot: { epoch: "e", seq: 0, state: emptyState() } })).not.toBeNull();
    expect(parseDeltasResponse({ recovered: true, epoch: "e", head: 1, deltas: [{ ...delta, seq: 0 }] })).toBeNull();
    expect(parseDeltasResponse({ recovered: true, epoch: "e", head: "1", deltas: [] })).toBeNull();
    expect(parseDeltasResponse({ recovered: false, snapshot: { epoch: "e", seq: 0, state: {} } })).toBeNull();
    expect(parseDeltasResponse("nope")).toBeNull();
  });
});

describe("ActivityFeed and RateMeter", () => {
  it("keeps the newest 200 deltas, newest first, and the same array until the next add", () => {
    const feed = new ActivityFeed();
    for (let seq = 1; seq <= 1000; seq++) feed.add({ type: "delta", epoch: "e", seq, at: "t", changes: [] });
    const entries = feed.entries;
    expect(entries).toHaveLength(200);
    expect(entries[0]!.seq).toBe(1000);
    expect(entries[199]!.seq).toBe(801);
    expect(feed.entries).toBe(entries);
  });

  it("counts events of the last second", () => {
    const meter = new RateMeter();
    for (let t = 0; t < 2000; t += 2) meter.mark(t);
    expect(meter.perSecond(1999)).toBe(500);
    expect(meter.perSecond(5000)).toBe(0);
  });
});
