/**
 * The view-models keep a row's identity while what it shows is unchanged,
 * so a frame of deltas re-renders only the rows it touched (the dashboard
 * under load, issue 9), and rebuild a row as soon as anything it shows changed.
 */
import { describe, expect, it } from "vitest";
import { emptyState, type AgentState, type ChannelState, type TaskState } from "../../../protocol/index.ts";
import type { ActivityEntry } from "../../../dashboard/src/lib/live/index.ts";
import { activityLines } from "../../../dashboard/src/lib/view/activity-view.ts";
import { agentRows } from "../../../dashboard/src/lib/view/agents-view.ts";
import { tagOverview } from "../../../dashboard/src/lib/view/tag-overview.ts";
import { taskRows } from "../../../dashboard/src/lib/view/tasks-view.ts";

const AT = "2026-11-29T12:00:00.000Z";
const task = (id: string, fields: Partial<TaskState> = {}): TaskState => ({ id, tag: "master", status: "pending", dependencies: [], subtasks: [], updatedAt: AT, ...fields });
const agent = (id: string, fields: Partial<AgentState> = {}): AgentState => ({ id, status: "busy", taskId: "1", detail: null, lastSeenAt: AT, updatedAt: AT, ...fields });

function state(): ChannelState {
  const s = emptyState();
  s.tasks.master = { "1": task("1", { title: "One" }), "2": task("2", { dependencies: ["1"] }), "3": task("3"), "10": task("10") };
  s.agents = { a: agent("a", { name: "Ann" }) };
  return s;
}

/** A copy-on-write update of one task, as the connection layer applies it. */
function withTask(s: ChannelState, id: string, fields: Partial<TaskState>): ChannelState {
  return { ...s, tasks: { ...s.tasks, master: { ...s.tasks.master, [id]: { ...s.tasks.master![id]!, ...fields } } } };
}

describe("rows keep their identity while unchanged", () => {
  it("rebuilds only the changed task's row and the rows that depend on it, in numeric id order", () => {
    const before = state();
    const rowsBefore = taskRows(before, "master");
    expect(rowsBefore.map((r) => r.id)).toEqual(["1", "2", "3", "10"]);
    const after = withTask(before, "3", { status: "done" });
    const rowsAfter = taskRows(after, "master");
    expect(rowsAfter[0]).toBe(rowsBefore[0]);
    expect(rowsAfter[1]).toBe(rowsBefore[1]);
    expect(rowsAfter[2]).not.toBe(rowsBefore[2]);
    expect(rowsAfter[2]!.status).toBe("done");

    const oneDone = withTask(after, "1", { status: "done" });
    const rowsOneDone = taskRows(oneDone, "master");
    expect(rowsOneDone[1]).not.toBe(rowsAfter[1]);
    expect(rowsOneDone[1]!.waitingOn).toBe(0);
    expect(rowsOneDone[3]).toBe(rowsAfter[3]);
  });

  it("counts a tag once per record and again when one of its tasks changes", () => {
    const before = state();
    expect(tagOverview(before)[0]!.counts).toEqual([{ status: "pending", count: 4 }]);
    const after = withTask(before, "2", { status: "done" });
    expect(tagOverview(after)[0]).toMatchObject({ total: 4, percentDone: 25, counts: [{ status: "pending", count: 3 }, { status: "done", count: 1 }] });
  });

  it("keeps an agent's row until the agent or its task's title changes", () => {
    const before = state();
    const [row] = agentRows(before);
    expect(agentRows({ ...before, meta: { name: "renamed" } })[0]).toBe(row);
    const retitled = withTask(before, "1", { title: "One, renamed" });
    expect(agentRows(retitled)[0]).not.toBe(row);
    expect(agentRows(retitled)[0]!.taskTitle).toBe("One, renamed");
  });

  it("keeps an activity line until an agent name it shows changes", () => {
    const entry: ActivityEntry = { seq: 1, atIso: AT, changes: [{ kind: "agent", op: "patch", key: "a", value: { status: "idle" } }] };
    const before = state();
    const [line] = activityLines([entry], 10, before);
    expect(line!.text).toBe("Ann is idle");
    expect(activityLines([entry], 10, { ...before })[0]).toBe(line);
    const renamed = { ...before, agents: { a: agent("a", { name: "Annie" }) } };
    expect(activityLines([entry], 10, renamed)[0]!.text).toBe("Annie is idle");
  });
});
