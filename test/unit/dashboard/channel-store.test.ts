import { describe, expect, it } from "vitest";
import { emptyState, type Change, type DeltaFrame } from "../../../protocol/index.ts";
import { ChannelStore } from "../../../dashboard/src/lib/live/index.ts";
import { agentPatch, agentSet } from "./harness.ts";

const delta = (seq: number, changes: Change[], epoch = "e1"): DeltaFrame => ({ type: "delta", epoch, seq, at: "2026-01-01T00:00:00Z", changes });

function storeAt(seq: number): ChannelStore {
  const store = new ChannelStore();
  store.applySnapshot({ epoch: "e1", seq, state: emptyState() });
  return store;
}

describe("ChannelStore", () => {
  it("applies a snapshot, then deltas strictly in seq order", () => {
    const store = storeAt(10);
    expect(store.applyDelta(delta(11, [agentSet("a")])).kind).toBe("applied");
    expect(store.applyDelta(delta(12, [agentPatch("a", "busy")])).kind).toBe("applied");
    expect(store.seq).toBe(12);
    expect(store.state?.agents["a"]?.status).toBe("busy");
    expect(store.cursor).toEqual({ epoch: "e1", seq: 12 });
  });

  it("ignores duplicates (seq ≤ applied)", () => {
    const store = storeAt(10);
    store.applyDelta(delta(11, [agentSet("a")]));
    const state = store.state;
    expect(store.applyDelta(delta(11, [agentSet("a", "idle")])).kind).toBe("duplicate");
    expect(store.applyDelta(delta(5, [agentSet("b")])).kind).toBe("duplicate");
    expect(store.state).toBe(state);
    expect(store.seq).toBe(11);
  });

  it("detects a gap and keeps the last consistent state and cursor", () => {
    const store = storeAt(10);
    const state = store.state;
    expect(store.applyDelta(delta(12, [agentSet("a")]))).toEqual({ kind: "gap", expected: 11 });
    expect(store.state).toBe(state);
    expect(store.seq).toBe(10);
    expect(store.cursor).toEqual({ epoch: "e1", seq: 10 });
    // The missing delta heals it.
    expect(store.applyDelta(delta(11, [agentSet("b")])).kind).toBe("applied");
    expect(store.applyDelta(delta(12, [agentSet("a")])).kind).toBe("applied");
  });

  it("refuses a conflicting delta whole, and asks for a snapshot (no cursor) until one comes", () => {
    const store = storeAt(10);
    const state = store.state;
    const outcome = store.applyDelta(delta(11, [agentSet("x"), agentPatch("ghost", "busy")]));
    expect(outcome.kind).toBe("conflict");
    expect(store.state).toBe(state);
    expect(store.state?.agents["x"]).toBeUndefined();
    expect(store.seq).toBe(10);
    expect(store.diverged).toBe(true);
    expect(store.cursor).toBeNull();
    expect(store.applySnapshot({ epoch: "e1", seq: 11, state: emptyState() })).toBe(true);
    expect(store.diverged).toBe(false);
    expect(store.cursor).toEqual({ epoch: "e1", seq: 11 });
  });

  it("treats a delta of another epoch as a reset: no cursor until the new epoch's snapshot", () => {
    const store = storeAt(10);
    expect(store.applyDelta(delta(1, [agentSet("a")], "e2")).kind).toBe("epoch-mismatch");
    expect(store.cursor).toBeNull();
    expect(store.seq).toBe(10);
    expect(store.applySnapshot({ epoch: "e2", seq: 1, state: emptyState() })).toBe(true);
    expect(store.epoch).toBe("e2");
    expect(store.applyDelta(delta(2, [agentSet("a")], "e2")).kind).toBe("applied");
  });

  it("ignores an older snapshot of the same epoch, but takes any snapshot once diverged or in a new epoch", () => {
    const store = storeAt(10);
    expect(store.applySnapshot({ epoch: "e1", seq: 9, state: emptyState() })).toBe(false);
    expect(store.seq).toBe(10);
    expect(store.applySnapshot({ epoch: "e0", seq: 3, state: emptyState() })).toBe(true);
    expect(store.seq).toBe(3);
  });

  it("says no-base for a delta before any snapshot", () => {
    expect(new ChannelStore().applyDelta(delta(1, [])).kind).toBe("no-base");
  });

  describe("applyDeltas", () => {
    it("applies a batch like one delta at a time, leaves the shown state untouched, and shares what no delta wrote", () => {
      const one = storeAt(10);
      const batch = storeAt(10);
      const deltas = [delta(11, [agentSet("a"), agentSet("b")]), delta(12, [agentPatch("a", "busy")]), delta(13, [agentPatch("b", "idle"), agentPatch("a", "error")])];
      for (const d of deltas) one.applyDelta(d);
      const before = batch.state!;
      const { applied, stopped } = batch.applyDeltas(deltas);
      expect(applied.map((d) => d.seq)).toEqual([11, 12, 13]);
      expect(stopped).toBeNull();
      expect(batch.seq).toBe(13);
      expect(batch.state).toEqual(one.state);
      expect(before.agents).toEqual({});
      // The agents record all three deltas wrote is a new object; the tasks none wrote are shared.
      expect(batch.state!.agents).not.toBe(before.agents);
      expect(batch.state!.tasks).toBe(before.tasks);
    });

    it("skips duplicates and stops at a gap, keeping what came before it", () => {
      const store = storeAt(10);
      const { applied, stopped } = store.applyDeltas([delta(9, [agentSet("old")]), delta(11, [agentSet("a")]), delta(11, [agentSet("dup")]), delta(13, [agentSet("c")])]);
      expect(applied.map((d) => d.seq)).toEqual([11]);
      expect(stopped).toEqual({ delta: expect.objectContaining({ seq: 13 }), outcome: { kind: "gap", expected: 12 } });
      expect(store.seq).toBe(11);
      expect(Object.keys(store.state!.agents)).toEqual(["a"]);
      expect(store.diverged).toBe(false);
    });

    it("on a conflict keeps the deltas before it, applies none of it, and asks for a snapshot", () => {
      const store = storeAt(10);
      const { applied, stopped } = store.applyDeltas([delta(11, [agentSet("a")]), delta(12, [agentSet("x"), agentPatch("ghost", "busy")]), delta(13, [agentSet("c")])]);
      expect(applied.map((d) => d.seq)).toEqual([11]);
      expect(stopped?.delta.seq).toBe(12);
      expect(stopped?.outcome.kind).toBe("conflict");
      expect(store.seq).toBe(11);
      expect(Object.keys(store.state!.agents)).toEqual(["a"]);
      expect(store.diverged).toBe(true);
      expect(store.cursor).toBeNull();
    });

    it("stops at another epoch (diverged) and before any snapshot", () => {
      const store = storeAt(10);
      expect(store.applyDeltas([delta(11, [agentSet("a")]), delta(12, [agentSet("b")], "e2")]).stopped?.outcome).toEqual({ kind: "epoch-mismatch" });
      expect(store.seq).toBe(11);
      expect(store.diverged).toBe(true);
      expect(new ChannelStore().applyDeltas([delta(1, [agentSet("a")])]).stopped?.outcome).toEqual({ kind: "no-base" });
    });
  });
});
