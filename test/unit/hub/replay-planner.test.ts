import { describe, expect, it } from "vitest";
import { parseResumeRequest, planReplay } from "../../../worker/channel/replay-planner.ts";

const log = { epoch: "E", head: 100, oldest: 41 };

describe("planReplay", () => {
  it.each([
    [{}, { mode: "snapshot", reason: "no-cursor" }],
    [{ since: 50, epoch: "OTHER" }, { mode: "snapshot", reason: "epoch-mismatch" }],
    [{ since: 101, epoch: "E" }, { mode: "snapshot", reason: "ahead" }],
    [{ since: 39, epoch: "E" }, { mode: "snapshot", reason: "too-old" }],
    [{ since: 40, epoch: "E" }, { mode: "replay", after: 40, head: 100 }],
    [{ since: 100, epoch: "E" }, { mode: "replay", after: 100, head: 100 }],
    [{ since: 0, epoch: "E" }, { mode: "snapshot", reason: "too-old" }],
  ])("%j → %j", (cursor, plan) => {
    expect(planReplay(cursor, log)).toEqual(plan);
  });

  it("replays everything from 0 when nothing was trimmed", () => {
    expect(planReplay({ since: 0, epoch: "E" }, { epoch: "E", head: 3, oldest: 1 })).toEqual({ mode: "replay", after: 0, head: 3 });
    expect(planReplay({ since: 0, epoch: "E" }, { epoch: "E", head: 0, oldest: 1 })).toEqual({ mode: "replay", after: 0, head: 0 });
  });
});

describe("parseResumeRequest", () => {
  it.each([
    ["5", "E", { since: 5, epoch: "E" }],
    ["0", "E", { since: 0, epoch: "E" }],
    ["5", null, {}],
    [null, "E", {}],
    ["-1", "E", {}],
    ["1.5", "E", {}],
    ["abc", "E", {}],
    ["", "E", {}],
    ["1e3", "E", {}],
    [" 5", "E", {}],
  ])("since=%s epoch=%s", (since, epoch, expected) => {
    expect(parseResumeRequest(since, epoch)).toEqual(expected);
  });
});
