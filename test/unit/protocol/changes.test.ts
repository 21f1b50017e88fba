import { describe, expect, it } from "vitest";
import { ChangeConflictError, applyChange, emptyState, type Change } from "../../../protocol/index.ts";

const task = { id: "1", tag: "master", status: "pending" as const, dependencies: [], subtasks: [], updatedAt: "t" };

describe("applyChange", () => {
  it("sets, patches and removes tasks, dropping an emptied tag", () => {
    const s = emptyState();
    applyChange(s, { kind: "task", op: "set", tag: "master", key: "1", value: task });
    applyChange(s, { kind: "task", op: "patch", tag: "master", key: "1", value: { status: "done" } });
    expect(s.tasks.master?.["1"]?.status).toBe("done");
    applyChange(s, { kind: "task", op: "remove", tag: "master", key: "1" });
    expect(s.tasks).toEqual({});
  });

  it("copies values, so a caller's object cannot alias the state", () => {
    const s = emptyState();
    const value = { ...task, dependencies: ["2"] };
    applyChange(s, { kind: "task", op: "set", tag: "master", key: "1", value });
    value.dependencies.push("3");
    expect(s.tasks.master?.["1"]?.dependencies).toEqual(["2"]);
  });

  it("appends health samples up to the limit", () => {
    const s = emptyState();
    for (let i = 0; i < 4; i++) applyChange(s, { kind: "health", op: "append", key: "h", value: { at: `${i}`, cpu: i }, limit: 2 });
    expect(s.health.h).toEqual([{ at: "2", cpu: 2 }, { at: "3", cpu: 3 }]);
  });

  it.each<Change>([
    { kind: "agent", op: "patch", key: "ghost", value: { status: "idle" } },
    { kind: "task", op: "patch", tag: "master", key: "ghost", value: { status: "done" } },
    { kind: "task", op: "remove", tag: "nope", key: "ghost" },
  ])("throws ChangeConflictError for %j on a missing entity (the client must resync)", (change) => {
    expect(() => applyChange(emptyState(), change)).toThrow(ChangeConflictError);
  });
});

describe("agent remove (an offline agent past the purge horizon)", () => {
  it("removes the agent; on a client that never had it, it is a conflict (resync)", () => {
    const state = emptyState();
    const at = "2026-01-01T00:00:00.000Z";
    applyChange(state, { kind: "agent", op: "set", key: "a", value: { id: "a", status: "offline", taskId: null, detail: null, lastSeenAt: at, updatedAt: at } });
    applyChange(state, { kind: "agent", op: "remove", key: "a" });
    expect(state.agents).toStrictEqual({});
    expect(() => applyChange(state, { kind: "agent", op: "remove", key: "a" })).toThrow(ChangeConflictError);
  });
});
