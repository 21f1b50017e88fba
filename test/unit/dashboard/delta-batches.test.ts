import { describe, expect, it } from "vitest";
import { emptyState, type DeltaFrame, type DeltasFrame } from "../../../protocol/index.ts";
import { ChannelSync } from "../../../dashboard/src/lib/live/channel-sync.ts";
import { agentPatch, agentSet, makeHarness, startLive } from "./harness.ts";

const RESYNC = '{"type":"resync"}';
const delta = (seq: number, id = `a${seq}`, epoch = "E"): DeltaFrame => ({ type: "delta", epoch, seq, at: "2026-01-01T00:00:00Z", changes: [agentSet(id)] });

function sync() {
  let applied = 0;
  const s = new ChannelSync({ recovered: 0, snapshots: 0, resyncs: 0, gaps: 0 }, { log: () => {}, applied: () => applied++ });
  s.snapshot({ epoch: "E", seq: 0, state: emptyState() });
  return { s, applied: () => applied };
}

describe("ChannelSync applies a batch as one update", () => {
  it("applies every delta in order and reports one update", () => {
    const { s, applied } = sync();
    const before = applied();
    expect(s.deltas([delta(1), delta(2), delta(3)])).toBeNull();
    expect(applied() - before).toBe(1);
    expect(s.store.seq).toBe(3);
    expect(Object.keys(s.store.state!.agents)).toEqual(["a1", "a2", "a3"]);
    expect(s.activity.entries.map((e) => e.seq)).toEqual([3, 2, 1]);
  });

  it("skips duplicates inside a batch and applies what follows", () => {
    const { s, applied } = sync();
    s.deltas([delta(1)]);
    const before = applied();
    expect(s.deltas([delta(1), delta(2)])).toBeNull();
    expect(s.store.seq).toBe(2);
    expect(applied() - before).toBe(1);
  });

  it("stops at a gap inside a batch: the prefix stays applied, the rest waits for a snapshot", () => {
    const { s, applied } = sync();
    const before = applied();
    expect(s.deltas([delta(1), delta(2), delta(4), delta(5)])).toBe("gap: got seq 4, expected 3");
    expect(s.store.seq).toBe(2);
    expect(applied() - before).toBe(1);
  });

  it("reports no update for a batch of duplicates only", () => {
    const { s, applied } = sync();
    s.deltas([delta(1), delta(2)]);
    const before = applied();
    expect(s.deltas([delta(1), delta(2)])).toBeNull();
    expect(applied()).toBe(before);
  });
});

describe("LiveChannel on a deltas frame", () => {
  it("applies the batch, and on a gap inside it sends one resync and keeps the last consistent state", async () => {
    const h = makeHarness();
    const socket = await startLive(h);
    socket.onClientFrame = null;
    h.hub.sockets.clear();
    const [d1, d2, d3] = [h.hub.commit([agentSet("a")]), h.hub.commit([agentSet("b")]), h.hub.commit([agentPatch("a", "busy")])];
    socket.receive({ type: "deltas", epoch: h.hub.epoch, deltas: [d1!, d2!] } satisfies DeltasFrame);
    expect(h.live.status).toMatchObject({ phase: "live", seq: 2 });
    const consistent = h.live.state;
    const d5 = { ...d3!, seq: 5 };
    socket.receive({ type: "deltas", epoch: h.hub.epoch, deltas: [d3!, d5] } satisfies DeltasFrame);
    expect(h.live.status).toMatchObject({ seq: 3 });
    expect(h.live.state).not.toBe(consistent);
    expect(h.live.state?.agents.a?.status).toBe("busy");
    expect(socket.sent.filter((t) => t === RESYNC)).toHaveLength(1);
    expect(h.live.debug.replays.gaps).toBe(1);
  });
});
