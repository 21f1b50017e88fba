/** The pure parts of viewer shards: placement, feeding in batches, and a shard's tail. */
import { describe, expect, it, vi } from "vitest";
import type { SizedDelta } from "../../../worker/channel/replay-budget.ts";
import { ShardFeeder, type FeedAnswer } from "../../../worker/shard/shard-feeder.ts";
import { parseShardName, shardName } from "../../../worker/shard/shard-names.ts";
import { ShardTable } from "../../../worker/shard/shard-table.ts";
import { ShardTail } from "../../../worker/shard/shard-tail.ts";

/** A delta as the channel's object feeds it: sized once (ASCII, so its length is its UTF-8 size). */
const delta = (seq: number): SizedDelta => {
  const json = `{"seq":${seq}}`;
  return { delta: { seq, atMs: seq, json }, bytes: json.length };
};
const deltas = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => delta(from + i));

describe("ShardTable", () => {
  it("fills shard 1 before adding shard 2, and reuses the lowest shard with room", () => {
    const table = new ShardTable(2);
    expect([table.place(), table.place(), table.place()]).toEqual([
      { shard: 1, added: true },
      { shard: 1, added: false },
      { shard: 2, added: true },
    ]);
    expect(table.sockets).toBe(3);
    table.report(1, 1);
    expect(table.place()).toEqual({ shard: 1, added: false });
    expect(table.place()).toEqual({ shard: 2, added: false });
    expect(table.place()).toEqual({ shard: 3, added: true });
  });

  it("shards read back after an eviction count 0 until they report; a dropped shard's number is reused; a report adds a shard back", () => {
    const table = new ShardTable(1, [1, 2]);
    expect(table.drop(1)).toBe(true);
    expect(table.place()).toEqual({ shard: 2, added: false });
    expect(table.place()).toEqual({ shard: 1, added: true });
    expect(table.report(5, 3)).toBe(true);
    expect(table.report(5, 2)).toBe(false);
    expect(table.shards).toEqual([1, 2, 5]);
    expect(table.sockets).toBe(4);
  });
});

describe("shard names", () => {
  it("round-trips and refuses names that are not a shard's", () => {
    expect(parseShardName(shardName("my-channel", 12))).toEqual({ channel: "my-channel", shard: 12 });
    expect(parseShardName("my-channel")).toBeNull();
    expect(parseShardName("c#0")).toBeNull();
  });
});

describe("ShardFeeder", () => {
  it("sends one RPC at a time; deltas committed meanwhile go together in the next, after what was fed", async () => {
    const calls: { after: number; seqs: number[] }[] = [];
    let release: (answer: FeedAnswer) => void = () => undefined;
    const feeder = new ShardFeeder(
      0,
      (after, batch) => {
        calls.push({ after, seqs: batch.map((d) => d.delta.seq) });
        return new Promise((resolve) => (release = resolve));
      },
      () => undefined,
      () => undefined,
    );
    feeder.push(deltas(1, 2));
    feeder.push(deltas(3, 3));
    feeder.push(deltas(4, 5));
    expect(calls).toEqual([{ after: 0, seqs: [1, 2] }]);
    release({ sockets: 1, head: 2, frames: 1, bytes: 10 });
    await vi.waitFor(() => expect(calls).toHaveLength(2));
    expect(calls).toEqual([
      { after: 0, seqs: [1, 2] },
      { after: 2, seqs: [3, 4, 5] },
    ]);
    release({ sockets: 1, head: 5, frames: 1, bytes: 10 });
    await feeder.idle();
    expect(feeder.fedThrough).toBe(5);
  });

  it("a failed feed keeps fedThrough, so the next one starts where the shard is and the shard fetches the gap", async () => {
    const calls: number[] = [];
    const failures: number[] = [];
    let fail = true;
    const feeder = new ShardFeeder(
      3,
      async (after, batch) => {
        calls.push(after);
        if (fail) throw new Error("evicted");
        return { sockets: 2, head: batch.at(-1)!.delta.seq, frames: 0, bytes: 0 };
      },
      () => undefined,
      (_error, n) => failures.push(n),
    );
    feeder.push(deltas(4, 4));
    await feeder.idle();
    fail = false;
    feeder.push(deltas(5, 6));
    await feeder.idle();
    expect(calls).toEqual([3, 3]);
    expect(failures).toEqual([1]);
    expect(feeder.fedThrough).toBe(6);
  });

  it("skips deltas the shard already has (it caught up by itself)", async () => {
    const batches: number[][] = [];
    const feeder = new ShardFeeder(0, async (_after, batch) => (batches.push(batch.map((d) => d.delta.seq)), { sockets: 1, head: batch.at(-1)!.delta.seq, frames: 0, bytes: 0 }), () => undefined, () => undefined);
    feeder.reached(4);
    feeder.push(deltas(3, 6));
    await feeder.idle();
    expect(batches).toEqual([[5, 6]]);
  });
});

describe("ShardTail", () => {
  it("takes what joins the head, names the gap otherwise, and ignores what it has", () => {
    const tail = new ShardTail();
    tail.reset(3);
    const joined = tail.check(deltas(2, 5));
    expect(joined.ok && joined.fresh.map((d) => d.delta.seq)).toEqual([4, 5]);
    if (joined.ok) tail.append(joined.fresh);
    expect(tail.head).toBe(5);
    expect(tail.check(deltas(8, 9))).toEqual({ ok: false, after: 5, before: 8 });
    expect(tail.check([delta(6), delta(8)])).toEqual({ ok: false, after: 6, before: 8 });
  });

  it("answers a resume within the tail, and null beyond it; old deltas fall off by count", () => {
    const tail = new ShardTail(3, 1024);
    tail.reset(0);
    const check = tail.check(deltas(1, 5));
    if (check.ok) tail.append(check.fresh);
    expect(tail.after(5)).toEqual([]);
    expect(tail.after(2)?.map((d) => d.delta.seq)).toEqual([3, 4, 5]);
    expect(tail.after(1)).toBeNull();
    expect(tail.after(6)).toBeNull();
  });

  it("old deltas fall off by bytes, but the newest stays", () => {
    const tail = new ShardTail(100, 25);
    tail.reset(0);
    const check = tail.check(deltas(1, 4));
    if (check.ok) tail.append(check.fresh);
    expect(tail.after(2)?.map((d) => d.delta.seq)).toEqual([3, 4]);
    expect(tail.after(1)).toBeNull();
  });

  it("has no head after a wake until it is told one", () => {
    const tail = new ShardTail();
    expect(tail.head).toBeNull();
    expect(tail.after(0)).toBeNull();
  });
});
