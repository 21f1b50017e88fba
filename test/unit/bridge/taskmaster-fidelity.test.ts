/**
 * The bridge's Task Master fidelity, through the hub's own reducer: a field
 * Task Master drops is cleared on the hub, a stale hub is reconciled, and
 * complexity reports and the project's configured name are read as Task
 * Master writes them.
 */
import { describe, expect, it } from "vitest";
import { diffProjects, type ProjectView } from "../../../bridge/src/sync/differ.ts";
import { buildEvents } from "../../../bridge/src/sync/event-builder.ts";
import { complexityByTaskId, complexityReportFileName, isComplexityReportFileName, joinComplexity } from "../../../bridge/src/taskmaster/complexity-reports.ts";
import { normaliseTasksFile } from "../../../bridge/src/taskmaster/normalise.ts";
import { configuredProjectName } from "../../../bridge/src/taskmaster/project-files.ts";
import { applyChanges, emptyState, reduceOnHub, validateAndParse } from "./hub-replay.ts";

function viewOf(file: unknown, name = "app"): ProjectView {
  const { tasks, tags } = normaliseTasksFile(file);
  return { name, currentTag: "master", tasks, tags };
}

/** A hub in memory that the bridge's events are replayed into. */
function memoryHub() {
  const hub = { state: emptyState(), versions: new Map<string, number>() };
  let clockMs = Date.parse("2026-05-01T00:00:00Z");
  let revisions = {};
  return {
    hub,
    send(prev: ProjectView | null, next: ProjectView, reconcile = false) {
      const built = buildEvents(diffProjects(prev, next, { reconcile }), { generation: "g", revisions, occurredAt: new Date((clockMs += 1000)).toISOString() });
      revisions = built.revisions;
      for (const event of built.events.map(validateAndParse)) applyChanges(hub.state, reduceOnHub(hub, event));
    },
  };
}

describe("a field Task Master drops", () => {
  it("is cleared on the hub, and the agent's agentId is never touched", () => {
    const before = viewOf({ master: { tasks: [{ id: 1, title: "t", priority: "high", details: "d", status: "pending" }] } });
    const after = viewOf({ master: { tasks: [{ id: 1, title: "t", status: "pending" }] } });
    const { hub, send } = memoryHub();
    send(null, before);
    hub.state.tasks.master!["1"]!.agentId = "coder-1";
    send(before, after);
    const task = hub.state.tasks.master!["1"]!;
    expect(task).not.toHaveProperty("priority");
    expect(task).not.toHaveProperty("details");
    expect(task.agentId).toBe("coder-1");
  });

  it("is sent as null in the upsert", () => {
    const built = buildEvents(diffProjects(null, viewOf({ master: { tasks: [{ id: 1, title: "t" }] } })), { generation: "g", revisions: {}, occurredAt: "2026-05-01T00:00:00Z" });
    const upsert = built.events.find((e) => e.type === "task.upsert");
    expect(upsert?.data).toMatchObject({ task: { priority: null, details: null, complexity: null, statusRaw: null, metadata: null } });
    expect(upsert?.data).not.toHaveProperty("task.agentId");
  });
});

describe("reconciling a hub that holds a stale copy", () => {
  it("removes the tasks and tags the file no longer has, and keeps the rest", () => {
    const stale = viewOf({ master: { tasks: [{ id: 1, title: "a" }, { id: 2, title: "gone" }] }, old: { tasks: [{ id: 1, title: "old tag" }] } });
    const file = viewOf({ master: { tasks: [{ id: 1, title: "a" }, { id: 3, title: "new" }] }, empty: { tasks: [] } });
    const { hub, send } = memoryHub();
    send(null, stale);
    // A fresh bridge (no baseline) against that hub: sends everything, then reconciles.
    send(null, file, true);
    expect(Object.keys(hub.state.tasks)).toEqual(["master"]);
    expect(Object.keys(hub.state.tasks.master!).sort()).toEqual(["1", "3"]);
    expect(hub.state.meta.tags).toEqual([{ name: "master" }, { name: "empty" }]);
  });
});

describe("complexity reports", () => {
  const report = {
    meta: { generatedAt: "2026-05-01T00:00:00Z" },
    complexityAnalysis: [
      { taskId: 1, taskTitle: "a", complexityScore: 8, recommendedSubtasks: 5, expansionPrompt: "split it", reasoning: "many parts" },
      { taskId: 2, taskTitle: "b", complexityScore: 42, recommendedSubtasks: 1, reasoning: "out of range" },
    ],
  };

  it("names the files as Task Master does, master without a suffix", () => {
    expect(complexityReportFileName("master")).toBe("task-complexity-report.json");
    expect(complexityReportFileName("feature")).toBe("task-complexity-report_feature.json");
    expect(isComplexityReportFileName("task-complexity-report_feature.json")).toBe(true);
    expect(isComplexityReportFileName("task-complexity-report.json.tmp")).toBe(false);
  });

  it("joins score, recommended subtasks and reasoning to their tasks, skipping entries the hub cannot take", () => {
    const byId = complexityByTaskId(report);
    expect([...byId.keys()]).toEqual(["1"]);
    const tasks = joinComplexity(viewOf({ master: { tasks: [{ id: 1, title: "a" }, { id: 2, title: "b" }] } }).tasks, new Map([["master", byId]]));
    expect(tasks.master?.["1"]?.complexity).toEqual({ score: 8, recommendedSubtasks: 5, reasoning: "many parts" });
    expect(tasks.master?.["2"]).not.toHaveProperty("complexity");
    expect(complexityByTaskId(null).size).toBe(0);
  });
});

describe("configuredProjectName", () => {
  it.each([
    [{ global: { projectName: "Shop Front" } }, "Shop Front"],
    [{ global: { projectName: "Task Master" } }, null],
    [{ global: { projectName: "  " } }, null],
    [{ global: {} }, null],
    [null, null],
  ])("%o → %o", (config, name) => {
    expect(configuredProjectName(config)).toBe(name);
  });
});
