import { describe, expect, it } from "vitest";
import { collectReplay, pageWithinBytes, utf8Bytes } from "../../../worker/channel/replay-budget.ts";
import type { StoredDelta } from "../../../worker/channel/storage.ts";

const log: StoredDelta[] = Array.from({ length: 10 }, (_, i) => ({ seq: i + 1, atMs: 0, json: `{"seq":${i + 1},"x":"${"é".repeat(10)}"}` }));
const size = utf8Bytes(log[0]!.json);
const reader = (pageSize: number) => {
  const reads: number[] = [];
  return { reads, read: (after: number) => (reads.push(after), log.filter((d) => d.seq > after).slice(0, pageSize)) };
};

describe("utf8Bytes", () => {
  it("counts UTF-8 bytes, not UTF-16 units", () => {
    expect(utf8Bytes("é")).toBe(2);
    expect(utf8Bytes("😀")).toBe(4);
    expect(size).toBe(`{"seq":1,"x":""}`.length + 20);
  });
});

describe("collectReplay", () => {
  it("reads every delta after `after` up to head, page by page, with their sizes", () => {
    const r = reader(3);
    const out = collectReplay(r.read, 2, 10, 1e9);
    expect(out?.map((d) => d.delta.seq)).toStrictEqual([3, 4, 5, 6, 7, 8, 9, 10]);
    expect(out?.every((d) => d.bytes === utf8Bytes(d.delta.json))).toBe(true);
    expect(r.reads).toStrictEqual([2, 5, 8]);
  });

  it("gives up (null) as soon as the bound is passed, without reading the rest of the log", () => {
    const r = reader(2);
    expect(collectReplay(r.read, 0, 10, size * 3)).toBeNull();
    expect(r.reads).toStrictEqual([0, 2]);
    expect(collectReplay(reader(2).read, 0, 3, size * 3)?.length).toBe(3); // exactly at the bound: fits
  });

  it("is empty when there is nothing to replay", () => {
    expect(collectReplay(reader(2).read, 10, 10, 0)).toStrictEqual([]);
  });
});

describe("pageWithinBytes", () => {
  it("keeps the longest prefix within the bound", () => {
    expect(pageWithinBytes(log, size * 4 + 1).map((d) => d.seq)).toStrictEqual([1, 2, 3, 4]);
    expect(pageWithinBytes(log, 1e9)).toHaveLength(10);
  });

  it("always keeps one delta, so a client asking again always progresses", () => {
    expect(pageWithinBytes(log, 1).map((d) => d.seq)).toStrictEqual([1]);
    expect(pageWithinBytes([], 1)).toStrictEqual([]);
  });
});
