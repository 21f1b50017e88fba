import { describe, expect, it } from "vitest";
import { applyChanges, emptyState, type AgentState, type ChannelState, type SubtaskState, type TaskState } from "../../../protocol/index.ts";
import { agentIdsByTask } from "../../../dashboard/src/lib/view/task-agents.ts";
import { taskAgentLinkChanges } from "../../../worker/channel/task-agent-links.ts";
import { complexityOf, taskDetail } from "../../../dashboard/src/lib/view/task-detail.ts";
import { tagOverview } from "../../../dashboard/src/lib/view/tag-overview.ts";
import { NO_FILTER, filterRows, tagCompletion, taskRows } from "../../../dashboard/src/lib/view/tasks-view.ts";
import { blockedBy, dependencyViews, findWorkItem, resolveDependencyId } from "../../../dashboard/src/lib/view/work-items.ts";

const AT = "2026-11-29T12:00:00.000Z";
const sub = (id: string, fields: Partial<SubtaskState> = {}): SubtaskState => ({ id, status: "pending", dependencies: [], ...fields });
const task = (id: string, fields: Partial<TaskState> = {}): TaskState => ({ id, tag: "master", status: "pending", dependencies: [], subtasks: [], updatedAt: AT, ...fields });
const agent = (id: string, taskId: string | null, fields: Partial<AgentState> = {}): AgentState => ({ id, status: "busy", taskId, detail: null, lastSeenAt: AT, updatedAt: AT, ...fields });

function project(): ChannelState {
  const state = emptyState();
  state.meta = { currentTag: "master" };
  state.tasks.master = {
    "1": task("1", { title: "Setup", status: "done", priority: "high" }),
    "2": task("2", {
      title: "API",
      status: "in-progress",
      dependencies: ["1"],
      description: "REST endpoints",
      details: "Use **hono** for the routes",
      subtasks: [sub("2.1", { title: "Schema", status: "done" }), sub("2.2", { title: "Handlers", dependencies: ["1"] }), sub("2.3", { dependencies: ["2"] })],
    }),
    "3": task("3", { title: "Docs", status: "cancelled", priority: "low" }),
    "4": task("4", { title: "Release", dependencies: ["3", "2.1", "9"], agentId: "releaser" }),
  };
  state.tasks.feature = { "1": task("1", { tag: "feature", status: "done" }), "2": task("2", { tag: "feature" }) };
  state.agents = { coder: agent("coder", "2.2", { name: "Coder" }), idle: agent("idle", null, { status: "idle" }) };
  // The task ↔ agent links, as the hub keeps them.
  applyChanges(state, taskAgentLinkChanges(state, Object.values(state.agents).map((a) => ({ kind: "agent", op: "set", key: a.id, value: a }))));
  return state;
}

describe("dependencies as Task Master reads them", () => {
  it("a bare id inside a subtask names its sibling; a dotted id is kept; a task's bare id is a task", () => {
    const state = project();
    const parent = state.tasks.master!["2"]!;
    expect(resolveDependencyId("1", parent)).toBe("2.1");
    expect(resolveDependencyId("3.1", parent)).toBe("3.1");
    expect(resolveDependencyId("1", null)).toBe("1");
    expect(dependencyViews(state.tasks.master, parent.subtasks[1]!, parent)).toStrictEqual([{ id: "2.1", title: "Schema", status: "done", satisfied: true }]);
  });

  it("only done satisfies: cancelled waits, an unknown id has no status", () => {
    const state = project();
    const release = state.tasks.master!["4"]!;
    expect(dependencyViews(state.tasks.master, release, null)).toStrictEqual([
      { id: "3", title: "Docs", status: "cancelled", satisfied: false },
      { id: "2.1", title: "Schema", status: "done", satisfied: true },
      { id: "9", title: null, status: null, satisfied: false },
    ]);
  });

  it("finds a subtask by its dotted id and lists what an item blocks, across tasks and subtasks", () => {
    const state = project();
    expect(findWorkItem(state.tasks.master, "2.2")?.parent?.id).toBe("2");
    expect(findWorkItem(state.tasks.master, "constructor")).toBeNull();
    expect(blockedBy(state.tasks.master, "1").map((b) => b.id)).toStrictEqual(["2"]);
    expect(blockedBy(state.tasks.master, "2.1").map((b) => b.id)).toStrictEqual(["2.2", "4"]);
    expect(blockedBy(state.tasks.master, "3").map((b) => b.id)).toStrictEqual(["4"]);
    expect(blockedBy(state.tasks.master, "2.2").map((b) => b.id)).toStrictEqual(["2.3"]);
  });

  it("task rows count waiting dependencies with the same rule", () => {
    const rows = taskRows(project(), "master");
    expect(rows.find((r) => r.id === "4")).toMatchObject({ waitingOn: 2 });
    expect(rows.find((r) => r.id === "2")).toMatchObject({ waitingOn: 0 });
  });
});

describe("task list filters", () => {
  const state = project();
  const rows = taskRows(state, "master");
  const byAgent = agentIdsByTask(state, "master");
  const agentsOf = (row: { id: string }) => byAgent.get(row.id) ?? [];
  const ids = (filter: Partial<typeof NO_FILTER>) => filterRows(rows, { ...NO_FILTER, ...filter }, agentsOf).map((r) => r.id);

  it("filters by priority, with none for tasks that have no priority", () => {
    expect(ids({ priority: "high" })).toStrictEqual(["1"]);
    expect(ids({ priority: "none" })).toStrictEqual(["2", "4"]);
  });

  it("filters by agent: the task's own agent and agents reporting it or one of its subtasks", () => {
    expect(ids({ agent: "coder" })).toStrictEqual(["2"]);
    expect(ids({ agent: "releaser" })).toStrictEqual(["4"]);
    expect(ids({ agent: "idle" })).toStrictEqual([]);
  });

  it("searches description and details too, and combines with the other filters", () => {
    expect(ids({ search: "endpoints" })).toStrictEqual(["2"]);
    expect(ids({ search: "HONO" })).toStrictEqual(["2"]);
    expect(ids({ search: "hono", status: "done" })).toStrictEqual([]);
    expect(ids({ search: "2.3" })).toStrictEqual(["2"]);
  });

  it("reads agents in the current tag only, once the project names one", () => {
    expect(agentIdsByTask(state, "feature").get("2")).toBeUndefined();
  });
});

describe("tag overview", () => {
  it("lists each tag with counts and % done, master first, and marks the current tag", () => {
    const overview = tagOverview(project());
    expect(overview.map((t) => [t.tag, t.total, t.percentDone, t.current])).toStrictEqual([
      ["master", 4, 25, true],
      ["feature", 2, 50, false],
    ]);
    expect(overview[0]!.counts).toStrictEqual([
      { status: "pending", count: 1 },
      { status: "in-progress", count: 1 },
      { status: "done", count: 1 },
      { status: "cancelled", count: 1 },
    ]);
  });

  it("keeps the current tag when it is empty", () => {
    const state = project();
    state.meta.currentTag = "empty-one";
    const current = tagOverview(state).find((t) => t.current);
    expect(current).toStrictEqual({ tag: "empty-one", total: 0, counts: [], percentDone: 0, current: true });
  });

  it("% done is done over all tasks, as task-master list shows it", () => {
    expect(tagCompletion([{ status: "done" }, { status: "cancelled" }, { status: "pending" }])).toBe(33);
    expect(tagCompletion([])).toBe(0);
  });
});

describe("task detail", () => {
  it("shows a task with its subtasks, dependencies, blocks and agents", () => {
    const detail = taskDetail(project(), "master", "2")!;
    expect(detail).toMatchObject({ kind: "task", id: "2", title: "API", status: "in-progress", priority: null, details: "Use **hono** for the routes", parent: null, complexity: null, rawStatus: null });
    expect(detail.dependsOn).toStrictEqual([{ id: "1", title: "Setup", status: "done", satisfied: true }]);
    expect(detail.blocks).toStrictEqual([]);
    expect(taskDetail(project(), "master", "1")!.blocks).toStrictEqual([{ id: "2", title: "API", status: "in-progress" }]);
    expect(detail.subtasks.map((s) => [s.id, s.status, s.dependencies.map((d) => `${d.id}:${d.satisfied}`)])).toStrictEqual([
      ["2.1", "done", []],
      ["2.2", "pending", ["2.1:true"]],
      ["2.3", "pending", ["2.2:false"]],
    ]);
    expect(detail.agents).toStrictEqual([{ id: "coder", name: "Coder", status: "busy", onId: "2.2" }]);
  });

  it("shows a subtask by its dotted id with its parent", () => {
    const detail = taskDetail(project(), "master", "2.2")!;
    expect(detail).toMatchObject({ kind: "subtask", id: "2.2", title: "Handlers", parent: { id: "2", title: "API" }, subtasks: [] });
    expect(detail.dependsOn.map((d) => d.id)).toStrictEqual(["2.1"]);
    expect(detail.blocks.map((b) => b.id)).toStrictEqual(["2.3"]);
    expect(detail.agents.map((a) => a.id)).toStrictEqual(["coder"]);
  });

  it("is null for an id or tag the project does not have", () => {
    expect(taskDetail(project(), "master", "77")).toBeNull();
    expect(taskDetail(project(), "nope", "1")).toBeNull();
  });

  it("shows Task Master's complexity of a task, with the optional parts as null", () => {
    expect(complexityOf(task("1"))).toBeNull();
    expect(complexityOf(task("1", { complexity: { score: 7 } }))).toStrictEqual({ score: 7, recommendedSubtasks: null, reasoning: null });
    expect(complexityOf(task("1", { complexity: { score: 8, recommendedSubtasks: 5, reasoning: "Many parts" } }))).toStrictEqual({ score: 8, recommendedSubtasks: 5, reasoning: "Many parts" });
  });
});
