/** The reducer's Task Master fidelity rules: clearing with null, raw statuses, sibling dependencies, project.sync. */
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { applyChanges, ChangeSchema, emptyState, EventSchema, readTaskStatus, type Change, type ChannelState, type HubEvent } from "../../../protocol/index.ts";
import { entityKey } from "../../../worker/channel/entity-keys.ts";
import { reduce } from "../../../worker/channel/reducer.ts";

const T0 = Date.parse("2026-11-01T10:00:00.000Z");
let counter = 0;

function event(type: HubEvent["type"], data: unknown, offsetMs = 0): HubEvent {
  return v.parse(EventSchema, { id: `e-${++counter}`, type, occurredAt: new Date(T0 + offsetMs).toISOString(), data });
}

/** A hub in memory: state, versions, and every delta's changes (to replay them on a fresh state). */
function hub() {
  const state = emptyState();
  const versions = new Map<string, number>();
  const log: Change[][] = [];
  const send = (e: HubEvent) => {
    const d = reduce({ state, versionOf: (k) => versions.get(k) }, e, { nowMs: T0, healthHistory: 3 });
    if (d.outcome === "stale") return d.outcome;
    applyChanges(state, d.changes);
    versions.set(entityKey(d.entity), d.version);
    for (const ref of d.tombstones ?? []) versions.set(entityKey(ref), d.version);
    if (d.changes.length > 0) log.push(JSON.parse(JSON.stringify(d.changes)) as Change[]);
    return d.outcome;
  };
  /** The log replayed on an empty state, after a JSON round trip and schema check, as a client gets it. */
  const replayed = (): ChannelState => {
    const s = emptyState();
    for (const changes of log) applyChanges(s, changes.map((c) => v.parse(ChangeSchema, c)));
    return s;
  };
  return { state, versions, log, send, replayed };
}

describe("task.upsert clearing with null", () => {
  it("removes the fields given as null, says so in the patch, and replays exactly", () => {
    const h = hub();
    h.send(event("task.upsert", { task: { id: 1, title: "A", priority: "high", details: "d", testStrategy: "t", metadata: { a: 1 }, complexity: { score: 7 } } }));
    h.send(event("task.upsert", { task: { id: 1, priority: null, details: null, metadata: null, complexity: null, description: null } }, 10));
    const task = h.state.tasks.master!["1"]!;
    expect(task).not.toHaveProperty("priority");
    expect(task).not.toHaveProperty("details");
    expect(task).not.toHaveProperty("metadata");
    expect(task).not.toHaveProperty("complexity");
    expect(task.testStrategy).toBe("t");
    // description was never set: nothing to unset, so it is not named.
    expect(h.log.at(-1)).toEqual([{ kind: "task", op: "patch", tag: "master", key: "1", value: { updatedAt: new Date(T0 + 10).toISOString() }, unset: ["details", "priority", "metadata", "complexity"] }]);
    expect(h.replayed()).toEqual(h.state);
  });

  it("is unchanged when every null names a field the task does not have", () => {
    const h = hub();
    h.send(event("task.upsert", { task: { id: 1, title: "A" } }));
    expect(h.send(event("task.upsert", { task: { id: 1, title: "A", priority: null, details: null } }, 5))).toBe("unchanged");
  });

  it("a new task created with nulls simply lacks those fields", () => {
    const h = hub();
    h.send(event("task.upsert", { task: { id: 2, title: "B", priority: null, agentId: null } }));
    expect(h.state.tasks.master!["2"]).not.toHaveProperty("priority");
    expect(h.state.tasks.master!["2"]).not.toHaveProperty("agentId");
  });

  it("refuses null for id, title and status", () => {
    for (const task of [{ id: 1, title: null }, { id: 1, status: null }, { id: null }]) {
      expect(v.safeParse(EventSchema, { id: "x", type: "task.upsert", occurredAt: "2026-11-01T10:00:00Z", data: { task } }).success).toBe(false);
    }
  });
});

describe("statuses", () => {
  it("reads completed as done, and keeps an unknown status as raw text counted as blocked", () => {
    expect(readTaskStatus("completed")).toEqual({ status: "done" });
    expect(readTaskStatus("review")).toEqual({ status: "review" });
    expect(readTaskStatus("waiting-on-legal")).toEqual({ status: "blocked", statusRaw: "waiting-on-legal" });
  });

  it("stores a raw status, and drops it when a known status replaces it", () => {
    const h = hub();
    h.send(event("task.upsert", { task: { id: 1, title: "A", statusRaw: "waiting-on-legal", subtasks: [{ id: 1, statusRaw: "completed" }] } }));
    const task = h.state.tasks.master!["1"]!;
    expect(task).toMatchObject({ status: "blocked", statusRaw: "waiting-on-legal" });
    expect(task.subtasks[0]).toEqual({ id: "1.1", status: "done", dependencies: [] });
    h.send(event("task.upsert", { task: { id: 1, status: "done" } }, 5));
    expect(h.state.tasks.master!["1"]).not.toHaveProperty("statusRaw");
    expect(h.state.tasks.master!["1"]!.status).toBe("done");
    expect(h.replayed()).toEqual(h.state);
  });
});

describe("subtask dependencies", () => {
  it("reads a bare number inside a subtask as its sibling, and keeps dotted ids and task dependencies", () => {
    const h = hub();
    h.send(event("task.upsert", { task: { id: 2, dependencies: [1, "3"], subtasks: [{ id: 1 }, { id: 2, dependencies: [1, "3.1", "4"] }] } }));
    const task = h.state.tasks.master!["2"]!;
    expect(task.dependencies).toEqual(["1", "3"]);
    expect(task.subtasks[1]!.dependencies).toEqual(["2.1", "3.1", "2.4"]);
  });
});

describe("project.sync", () => {
  const upsert = (tag: string, id: number, offsetMs = 0) => event("task.upsert", { tag, task: { id, title: `T${id}` } }, offsetMs);

  it("removes in one delta the tasks and tags the project no longer has, leaving tombstones", () => {
    const h = hub();
    for (const e of [upsert("master", 1), upsert("master", 2), upsert("old", 1), upsert("feature", 5)]) h.send(e);
    const before = h.log.length;
    expect(h.send(event("project.sync", { tags: [{ tag: "master", taskIds: [1] }, { tag: "feature", taskIds: ["5"] }, { tag: "empty", taskIds: [] }] }, 10))).toBe("applied");
    expect(h.log.length).toBe(before + 1);
    expect(h.log.at(-1)).toEqual([
      { kind: "task", op: "remove", tag: "master", key: "2" },
      { kind: "task", op: "remove", tag: "old", key: "1" },
    ]);
    expect(Object.keys(h.state.tasks)).toEqual(["master", "feature"]);
    // The tombstone: an upsert older than the sync cannot bring task 2 back.
    expect(h.send(upsert("master", 2, 5))).toBe("stale");
    expect(h.replayed()).toEqual(h.state);
  });

  it("spares a task changed after the sync, and is idempotent", () => {
    const h = hub();
    h.send(upsert("master", 1));
    h.send(upsert("master", 9, 50));
    const sync = { tags: [{ tag: "master", taskIds: [1] }] };
    expect(h.send(event("project.sync", sync, 20))).toBe("unchanged");
    expect(h.state.tasks.master!["9"]).toBeDefined();
    expect(h.send(event("project.sync", sync, 60))).toBe("applied");
    expect(h.send(event("project.sync", sync, 70))).toBe("unchanged");
    // An older sync than the last one is stale.
    expect(h.send(event("project.sync", { tags: [] }, 65))).toBe("stale");
    expect(h.state.tasks.master!["1"]).toBeDefined();
  });

  it("rejects a tag named twice, and too many ids", () => {
    const parse = (tags: unknown) => v.safeParse(EventSchema, { id: "x", type: "project.sync", occurredAt: "2026-11-01T10:00:00Z", data: { tags } });
    expect(parse([{ tag: "a", taskIds: [] }, { tag: "a", taskIds: [] }]).success).toBe(false);
    expect(parse([{ tag: "a", taskIds: Array.from({ length: 50_001 }, (_, i) => i) }]).success).toBe(false);
    expect(parse([{ tag: "constructor", taskIds: [1] }]).success).toBe(true);
  });
});

describe("project.meta tags", () => {
  it("replaces the tag list, empty tags and descriptions included", () => {
    const h = hub();
    h.send(event("project.meta", { tags: [{ name: "master", description: "Main" }, { name: "empty" }] }));
    expect(h.state.meta.tags).toEqual([{ name: "master", description: "Main" }, { name: "empty" }]);
    expect(h.send(event("project.meta", { tags: [{ name: "master", description: "Main" }, { name: "empty" }] }, 5))).toBe("unchanged");
    h.send(event("project.meta", { tags: [{ name: "master" }] }, 10));
    expect(h.state.meta.tags).toEqual([{ name: "master" }]);
  });
});
