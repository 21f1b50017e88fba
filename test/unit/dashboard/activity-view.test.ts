import { describe, expect, it } from "vitest";
import type { ActivityEntry } from "../../../dashboard/src/lib/live/index.ts";
import { activityLines, isRoutine } from "../../../dashboard/src/lib/view/activity-view.ts";

const at = "2026-11-29T12:00:00.000Z";
const heartbeat: ActivityEntry = { seq: 3, atIso: at, changes: [{ kind: "agent", op: "patch", key: "a1", value: { lastSeenAt: at } }] };
const health: ActivityEntry = { seq: 2, atIso: at, changes: [{ kind: "health", op: "append", key: "host", value: { at, cpu: 40 }, limit: 300 }] };
const busy: ActivityEntry = { seq: 1, atIso: at, changes: [{ kind: "agent", op: "patch", key: "a1", value: { status: "busy", taskId: "5" } }] };

describe("activity feed lines", () => {
  it("calls heartbeats and health samples routine, and status changes not", () => {
    expect([heartbeat, health, busy].map(isRoutine)).toEqual([true, true, false]);
  });

  it("hides routine entries unless asked, before taking the newest `max`", () => {
    const entries = [heartbeat, health, busy];
    expect(activityLines(entries, 1, null).map((l) => l.text)).toEqual(["a1 is busy on task 5"]);
    expect(activityLines(entries, 2, null, true).map((l) => l.seq)).toEqual([3, 2]);
  });
});
