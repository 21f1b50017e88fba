import { describe, expect, it } from "vitest";
import { parseServerFrame, type DeltaFrame, type HubEvent } from "../../../protocol/index.ts";
import { ChannelCore } from "../../../worker/channel/channel-core.ts";
import { packDeltas } from "../../../worker/channel/delta-frames.ts";
import { utf8Bytes } from "../../../worker/channel/replay-budget.ts";
import { planByCost, type ReplayPlan } from "../../../worker/channel/replay-planner.ts";
import { MemoryChannelStorage } from "../../fakes/memory-channel-storage.ts";

const replay: ReplayPlan = { mode: "replay", after: 10, head: 20 };

describe("planByCost", () => {
  it.each([
    ["a replay smaller than the snapshot", { replayBytes: 900, snapshotBytes: 1000, maxReplayBytes: 4000 }, replay],
    ["a replay as large as the snapshot", { replayBytes: 1000, snapshotBytes: 1000, maxReplayBytes: 4000 }, replay],
    ["a replay larger than the snapshot", { replayBytes: 1001, snapshotBytes: 1000, maxReplayBytes: 4000 }, { mode: "snapshot", reason: "cheaper-snapshot" }],
    ["a replay over the bound, even if the snapshot is larger", { replayBytes: 4001, snapshotBytes: 9000, maxReplayBytes: 4000 }, { mode: "snapshot", reason: "too-large" }],
  ])("%s", (_name, cost, plan) => {
    expect(planByCost(replay, cost)).toEqual(plan);
  });

  it("keeps a snapshot plan and its reason", () => {
    expect(planByCost({ mode: "snapshot", reason: "too-old" }, { replayBytes: 0, snapshotBytes: 1, maxReplayBytes: 1 })).toEqual({ mode: "snapshot", reason: "too-old" });
  });
});

const delta = (seq: number, pad = 0) => {
  const json = JSON.stringify({ type: "delta", epoch: "E", seq, at: "2026-11-01T10:00:00.000Z", changes: [{ kind: "meta", op: "patch", value: { name: "x".repeat(pad) } }] } satisfies DeltaFrame);
  return { delta: { seq, atMs: 0, json }, bytes: utf8Bytes(json) };
};

describe("packDeltas", () => {
  it("sends one delta as its own delta frame, unchanged", () => {
    const one = delta(1);
    expect(packDeltas("E", [one], 1000)).toEqual([{ text: one.delta.json, bytes: one.bytes }]);
    expect(packDeltas("E", [], 1000)).toEqual([]);
  });

  it("packs several into deltas frames within the bound, in order, with exact sizes", () => {
    const deltas = Array.from({ length: 50 }, (_, i) => delta(i + 1, i * 7));
    const frames = packDeltas("E", deltas, 2048);
    expect(frames.length).toBeGreaterThan(1);
    const seqs: number[] = [];
    for (const frame of frames) {
      expect(frame.bytes).toBe(utf8Bytes(frame.text));
      expect(frame.bytes).toBeLessThanOrEqual(2048);
      const parsed = parseServerFrame(frame.text);
      if (parsed?.type === "deltas") {
        expect(parsed.epoch).toBe("E");
        seqs.push(...parsed.deltas.map((d) => d.seq));
      } else if (parsed?.type === "delta") seqs.push(parsed.seq);
      else throw new Error(`not a delta frame: ${frame.text.slice(0, 80)}`);
    }
    expect(seqs).toEqual(deltas.map((d) => d.delta.seq));
  });

  it("lets a delta larger than the bound travel alone", () => {
    const frames = packDeltas("E", [delta(1), delta(2, 3000), delta(3)], 1024);
    expect(frames.map((f) => parseServerFrame(f.text)?.type)).toEqual(["delta", "delta", "delta"]);
    expect(frames[1]!.bytes).toBeGreaterThan(1024);
  });
});

describe("ChannelCore.planResume", () => {
  const T0 = Date.parse("2026-11-01T10:00:00.000Z");
  let n = 0;
  const progress = (percent: number): HubEvent =>
    ({ id: `p-${++n}`, type: "task.progress", occurredAt: new Date(T0 + n).toISOString(), data: { taskId: 1, percent, message: "step ".repeat(20) } }) as HubEvent;
  const upsert = (id: number): HubEvent => ({ id: `u-${++n}`, type: "task.upsert", occurredAt: new Date(T0 + n).toISOString(), data: { task: { id, title: `Task ${id}` } } }) as HubEvent;

  function channel() {
    const core = new ChannelCore(new MemoryChannelStorage(), { healthHistory: 5, agentTtlMs: 60_000, newEpoch: () => "E" });
    core.ingest(Array.from({ length: 30 }, (_, i) => upsert(i + 1)), T0, T0);
    return core;
  }

  it("replays a few missed deltas", () => {
    const core = channel();
    const since = core.head;
    core.ingest([progress(1), progress(2)], T0, T0);
    expect(core.planResume({ since, epoch: "E" })).toEqual({ mode: "replay", after: since, head: since + 2 });
  });

  it("answers many updates of one task with the snapshot: they weigh more than the state they produce", () => {
    const core = channel();
    const since = core.head;
    core.ingest(Array.from({ length: 200 }, (_, i) => progress(i % 100)), T0, T0);
    expect(core.planReplay({ since, epoch: "E" })).toMatchObject({ mode: "replay" });
    expect(core.planResume({ since, epoch: "E" })).toEqual({ mode: "snapshot", reason: "cheaper-snapshot" });
    expect(core.planResume({ since: core.head - 1, epoch: "E" })).toMatchObject({ mode: "replay" });
  });

  it("answers a replay over the byte bound with the snapshot", () => {
    const core = channel();
    const since = core.head;
    core.ingest([progress(1), progress(2)], T0, T0);
    expect(core.planResume({ since, epoch: "E" }, 100)).toEqual({ mode: "snapshot", reason: "too-large" });
  });
});
