import { describe, expect, it } from "vitest";
import { applyChanges, emptyState, reduceOnHub, validateAndParse, type ChannelState, type HubEvent } from "./hub-replay.ts";
import { diffProjects, subtaskProgress, type ProjectView } from "../../../bridge/src/sync/differ.ts";
import { buildEvents } from "../../../bridge/src/sync/event-builder.ts";
import { currentTagOf, normaliseTasksFile } from "../../../bridge/src/taskmaster/normalise.ts";
import { STEPS, stateJson, tasksJson, type Step } from "./taskmaster-fixtures.ts";

const view = (step: Step): ProjectView => {
  const { tasks, tags } = normaliseTasksFile(tasksJson(step));
  return { name: "fixtures", currentTag: currentTagOf(stateJson(step)), tasks, tags };
};
const kinds = (prev: Step | null, next: Step) => diffProjects(prev ? view(prev) : null, view(next)).map((c) => `${c.kind} ${"tag" in c ? c.tag + "/" : ""}${"taskId" in c ? c.taskId : "task" in c ? c.task.id : ""}`.trim());

describe("diffProjects on the real CLI's steps", () => {
  it("sends the whole project the first time", () => {
    expect(kinds(null, "00-seed")).toEqual(["task.upsert master/1", "task.upsert master/2", "project.meta"]);
  });

  it("finds exactly the task each command touched", () => {
    expect(kinds("00-seed", "01-add-task")).toEqual(["task.upsert master/3"]);
    expect(kinds("01-add-task", "02-add-subtask")).toEqual(["task.upsert master/2", "task.progress master/2"]);
    // set-status also rewrites the tag's metadata without its description: the tag list changes too.
    expect(kinds("02-add-subtask", "03-set-status")).toEqual(["task.upsert master/1", "task.upsert master/2", "task.progress master/2", "project.meta"]);
    // ... and add-dependency writes it back.
    expect(kinds("03-set-status", "04-add-dependency")).toEqual(["task.upsert master/3", "project.meta"]);
    expect(kinds("05-tags-add", "06-move")).toEqual(["task.removed master/3", "task.upsert feature/3"]);
    expect(kinds("06-move", "07-remove-task")).toEqual(["task.removed master/1"]);
    expect(kinds("07-remove-task", "08-tags-use")).toEqual(["project.meta"]);
  });

  it("sends nothing for a cosmetic rewrite, and only the tag list for a new empty tag", () => {
    expect(kinds("03-set-status", "03-set-status")).toEqual([]);
    expect(diffProjects(view("04-add-dependency"), view("05-tags-add"))).toEqual([
      { kind: "project.meta", tags: [{ name: "master", description: "Tasks for master context" }, { name: "feature", description: "Feature work" }] },
    ]);
  });

  it("reconciles on request: every tag, empty ones too, with its task ids, after the upserts", () => {
    const changes = diffProjects(view("04-add-dependency"), view("05-tags-add"), { reconcile: true });
    expect(changes.map((c) => c.kind)).toEqual(["project.sync", "project.meta"]);
    expect(changes[0]).toEqual({ kind: "project.sync", tags: [{ tag: "master", taskIds: ["1", "2", "3"] }, { tag: "feature", taskIds: [] }] });
  });

  it("reports progress from subtasks done/total", () => {
    const changes = diffProjects(view("02-add-subtask"), view("03-set-status"));
    expect(changes).toContainEqual({ kind: "task.progress", tag: "master", taskId: "2", percent: 50, message: "1/2 subtasks done" });
    expect(subtaskProgress(view("00-seed").tasks.master!["1"]!)).toBeNull();
  });

  it("only sends the changed meta field", () => {
    expect(diffProjects(view("07-remove-task"), view("08-tags-use")).at(-1)).toEqual({ kind: "project.meta", currentTag: "feature" });
  });
});

describe("the events, applied by the hub's own reducer, rebuild the file", () => {
  /** What the dashboard must show for a step, taken straight from the file (not through the bridge's normaliser). */
  function expectedFromFile(step: Step) {
    const raw = tasksJson(step) as Record<string, { tasks: { id: number | string; title: string; status: string; dependencies: (number | string)[]; subtasks?: { id: number; title: string; status: string }[] }[] }>;
    const out: Record<string, Record<string, unknown>> = {};
    for (const [tag, body] of Object.entries(raw)) {
      for (const t of body.tasks) {
        (out[tag] ??= {})[String(t.id)] = {
          title: t.title,
          status: t.status,
          dependencies: t.dependencies.map(String),
          subtasks: (t.subtasks ?? []).map((s) => ({ id: `${t.id}.${s.id}`, title: s.title, status: s.status })),
        };
      }
    }
    return out;
  }

  function shown(state: ChannelState) {
    const out: Record<string, Record<string, unknown>> = {};
    for (const [tag, tasks] of Object.entries(state.tasks)) {
      for (const [id, t] of Object.entries(tasks)) {
        (out[tag] ??= {})[id] = { title: t.title, status: t.status, dependencies: t.dependencies, subtasks: t.subtasks.map((s) => ({ id: s.id, title: s.title, status: s.status })) };
      }
    }
    return out;
  }

  it("after every step", () => {
    const hub = { state: emptyState(), versions: new Map<string, number>() };
    let prev: ProjectView | null = null;
    let revisions = {};
    let clock = Date.parse("2026-01-01T00:00:00Z");
    for (const step of STEPS) {
      const next = view(step);
      const built = buildEvents(diffProjects(prev, next), { generation: "g", revisions, occurredAt: new Date((clock += 1000)).toISOString() });
      revisions = built.revisions;
      const events: HubEvent[] = built.events.map(validateAndParse);
      for (const event of events) applyChanges(hub.state, reduceOnHub(hub, event));
      expect(shown(hub.state), step).toEqual(expectedFromFile(step));
      expect(hub.state.meta.currentTag, step).toBe(currentTagOf(stateJson(step)));
      prev = next;
    }
    expect(hub.state.tasks.master?.["2"]?.progress?.percent).toBe(50);
  });
});
