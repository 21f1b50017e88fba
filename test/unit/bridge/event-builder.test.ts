import { describe, expect, it } from "vitest";
import { validateEvent } from "../../../bridge/src/delivery/validate.ts";
import type { ProjectChange } from "../../../bridge/src/sync/differ.ts";
import { buildEvents } from "../../../bridge/src/sync/event-builder.ts";
import type { NormalTask } from "../../../bridge/src/taskmaster/normalise.ts";

const task = (status: NormalTask["status"]): NormalTask => ({ id: "7", title: "T", description: "", details: "", testStrategy: "", status, dependencies: [], subtasks: [{ id: "7.1", title: "s", status: "done", dependencies: [] }] });
const upsert = (status: NormalTask["status"]): ProjectChange => ({ kind: "task.upsert", tag: "master", task: task(status) });
const at = "2026-03-01T10:00:00.000Z";

describe("buildEvents", () => {
  it("gives the same change the same id (a re-derived event after a crash is a duplicate)", () => {
    const a = buildEvents([upsert("done")], { generation: "g1", revisions: {}, occurredAt: at });
    const b = buildEvents([upsert("done")], { generation: "g1", revisions: {}, occurredAt: "2026-03-01T10:00:09.000Z" });
    expect(a.events[0]?.id).toBe(b.events[0]?.id);
    expect(a.events[0]?.id).toMatch(/^tm-[0-9a-f]{40}$/);
  });

  it("gives a return to an earlier state a new id (else the hub would drop it as a duplicate)", () => {
    const first = buildEvents([upsert("pending")], { generation: "g1", revisions: {}, occurredAt: at });
    const second = buildEvents([upsert("done")], { generation: "g1", revisions: first.revisions, occurredAt: at });
    const third = buildEvents([upsert("pending")], { generation: "g1", revisions: second.revisions, occurredAt: at });
    const ids = [first, second, third].map((r) => r.events[0]?.id);
    expect(new Set(ids).size).toBe(3);
    expect(third.revisions).toEqual({ "task/master/7": 3 });
  });

  it("gives a new generation (baseline deleted) new ids", () => {
    const a = buildEvents([upsert("done")], { generation: "g1", revisions: {}, occurredAt: at });
    const b = buildEvents([upsert("done")], { generation: "g2", revisions: {}, occurredAt: at });
    expect(a.events[0]?.id).not.toBe(b.events[0]?.id);
  });

  it("counts a removal and a re-creation on the task's own revision", () => {
    const removed = buildEvents([{ kind: "task.removed", tag: "master", taskId: "7" }], { generation: "g", revisions: { "task/master/7": 4 }, occurredAt: at });
    expect(removed.revisions["task/master/7"]).toBe(5);
  });

  it("builds events that pass the hub's schema, dated when observed", () => {
    const changes: ProjectChange[] = [
      upsert("review"),
      { kind: "task.progress", tag: "master", taskId: "7", percent: 100, message: "1/1 subtasks done" },
      { kind: "task.removed", tag: "feature", taskId: "3" },
      { kind: "project.meta", name: "app", currentTag: "feature" },
    ];
    const { events } = buildEvents(changes, { generation: "g", revisions: {}, occurredAt: at });
    for (const event of events) {
      expect(validateEvent(event)).toMatchObject({ ok: true });
      expect(event.occurredAt).toBe(at);
    }
    expect(events.map((e) => e.type)).toEqual(["task.upsert", "task.progress", "task.removed", "project.meta"]);
    expect(events[0]?.data).toMatchObject({ tag: "master", task: { id: "7", status: "review", subtasks: [{ id: "7.1" }] } });
  });
});
