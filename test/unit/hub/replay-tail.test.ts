import { describe, expect, it } from "vitest";
import { packDeltas } from "../../../worker/channel/delta-frames.ts";
import type { SizedDelta } from "../../../worker/channel/replay-budget.ts";
import { ReplayTail } from "../../../worker/channel/replay-tail.ts";

const sized = (seq: number, bytes = 10): SizedDelta => ({ delta: { seq, atMs: seq, json: `{"seq":${seq}}` }, bytes });
const range = (from: number, to: number, bytes = 10) => Array.from({ length: to - from + 1 }, (_, i) => sized(from + i, bytes));
const seqs = (deltas: readonly SizedDelta[] | null) => deltas?.map((d) => d.delta.seq) ?? null;

describe("ReplayTail", () => {
  it("answers a range it holds completely, up to its newest seq, and nothing else", () => {
    const tail = new ReplayTail(100, 10_000);
    tail.append(range(5, 9));
    expect(seqs(tail.between(4, 9))).toEqual([5, 6, 7, 8, 9]);
    expect(seqs(tail.between(7, 9))).toEqual([8, 9]);
    expect(seqs(tail.between(9, 9))).toEqual([]);
    expect(tail.between(3, 9)).toBeNull(); // seq 4 is not held
    expect(tail.between(4, 10)).toBeNull(); // head beyond what it was told
    expect(tail.between(4, 8)).toBeNull(); // the newest must be the head
    expect(tail.bytesBetween(6, 9)).toBe(30);
  });

  it("keeps at most maxDeltas and maxBytes, dropping the oldest", () => {
    const byCount = new ReplayTail(3, 10_000);
    byCount.append(range(1, 5));
    expect(seqs(byCount.between(2, 5))).toEqual([3, 4, 5]);
    expect(byCount.between(1, 5)).toBeNull();
    const byBytes = new ReplayTail(100, 25);
    byBytes.append(range(1, 4));
    expect(seqs(byBytes.between(2, 4))).toEqual([3, 4]);
    expect(byBytes.between(1, 4)).toBeNull();
  });

  it("starts over on a gap, so it never answers across deltas it was not told of", () => {
    const tail = new ReplayTail(100, 10_000);
    tail.append(range(1, 3));
    tail.append(range(6, 7));
    expect(tail.between(3, 7)).toBeNull();
    expect(seqs(tail.between(5, 7))).toEqual([6, 7]);
  });

  it("packs the frames of one cursor once, and again after an append", () => {
    const tail = new ReplayTail(100, 10_000);
    tail.append(range(1, 4));
    const frames = tail.frames("E", 1, 4, 1000);
    expect(frames).toEqual(packDeltas("E", range(2, 4), 1000));
    expect(tail.frames("E", 1, 4, 1000)).toBe(frames);
    tail.append([sized(5)]);
    expect(tail.frames("E", 1, 4, 1000)).toBeNull();
    expect(tail.frames("E", 1, 5, 1000)).toEqual(packDeltas("E", range(2, 5), 1000));
  });
});
