/** Task Master's `next` rules, one hand-built case each (the rules: dashboard/src/lib/view/next-task.ts). */
import { describe, expect, it } from "vitest";
import { emptyState, type ChannelState, type SubtaskState, type TaskPriority, type TaskState, type TaskStatus } from "../../../protocol/index.ts";
import { completedIds, nextTask, nextTaskView } from "../../../dashboard/src/lib/view/next-task.ts";
import { resolveDependencyId } from "../../../dashboard/src/lib/view/work-items.ts";

const at = "2026-11-29T12:00:00.000Z";

interface Opts {
  priority?: TaskPriority;
  deps?: string[];
  subtasks?: SubtaskState[];
}

function task(id: string, status: TaskStatus, opts: Opts = {}): TaskState {
  return { id, tag: "master", title: `Task ${id} title`, status, ...(opts.priority ? { priority: opts.priority } : {}), dependencies: opts.deps ?? [], subtasks: opts.subtasks ?? [], updatedAt: at };
}

function sub(id: string, status: TaskStatus, opts: Omit<Opts, "subtasks"> = {}): SubtaskState {
  return { id, title: `Sub ${id}`, status, ...(opts.priority ? { priority: opts.priority } : {}), dependencies: opts.deps ?? [] };
}

function tag(...tasks: TaskState[]): Record<string, TaskState> {
  return Object.fromEntries(tasks.map((t) => [t.id, t]));
}

const next = (...tasks: TaskState[]) => nextTask(tag(...tasks))?.id ?? null;

describe("nextTask: which items are candidates", () => {
  it("offers pending and in-progress tasks only", () => {
    for (const status of ["done", "review", "deferred", "cancelled", "blocked", "failed"] as const) expect(next(task("1", status)), status).toBeNull();
    expect(next(task("1", "pending"))).toBe("1");
    expect(next(task("1", "in-progress"))).toBe("1");
    expect(nextTask(undefined)).toBeNull();
  });

  it("counts only done as satisfying a dependency: cancelled does not", () => {
    expect(next(task("1", "done"), task("2", "pending", { deps: ["1"] }))).toBe("2");
    expect(next(task("1", "cancelled"), task("2", "pending", { deps: ["1"] }))).toBeNull();
    expect(next(task("2", "pending", { deps: ["7"] }))).toBeNull();
  });

  it("lets a top-level task wait on a subtask by its dotted id", () => {
    const parent = task("1", "pending", { priority: "low", subtasks: [sub("1.1", "done"), sub("1.2", "pending")] });
    expect(next(parent, task("2", "pending", { priority: "high", deps: ["1.1"] }))).toBe("2");
    expect(next(parent, task("2", "pending", { priority: "high", deps: ["1.2"] }))).toBe("1");
  });

  it("ignores done subtasks of a parent that is neither pending, in progress nor done, as 0.43.1 does", () => {
    const cancelledParent = task("1", "cancelled", { subtasks: [sub("1.1", "done")] });
    expect(next(cancelledParent, task("2", "pending", { deps: ["1.1"] }))).toBeNull();
    expect([...completedIds(tag(cancelledParent))]).toEqual([]);
    expect([...completedIds(tag(task("1", "done", { subtasks: [sub("1.1", "done"), sub("1.2", "cancelled")] })))]).toEqual(["1", "1.1"]);
  });
});

describe("nextTask: subtasks of in-progress tasks come first", () => {
  it("picks a ready subtask of an in-progress parent over a higher-priority ready task", () => {
    const parent = task("2", "in-progress", { priority: "low", subtasks: [sub("2.1", "done"), sub("2.2", "pending")] });
    expect(next(task("1", "pending", { priority: "critical" }), parent)).toBe("2.2");
  });

  it("does not look into subtasks of a pending parent", () => {
    const parent = task("2", "pending", { priority: "low", subtasks: [sub("2.1", "pending")] });
    expect(next(parent, task("3", "pending", { priority: "high" }))).toBe("3");
  });

  it("reads a subtask's bare-number dependency as its sibling, and keeps dotted ids", () => {
    const waiting = task("2", "in-progress", { subtasks: [sub("2.1", "pending"), sub("2.2", "pending", { deps: ["1"] })] });
    expect(nextTask(tag(task("1", "done"), waiting))?.id).toBe("2.1");
    const siblingDone = task("2", "in-progress", { subtasks: [sub("2.1", "done"), sub("2.2", "pending", { deps: ["1"] })] });
    expect(nextTask(tag(task("1", "pending"), siblingDone))).toMatchObject({ id: "2.2", dependencies: ["2.1"] });
    const dotted = task("2", "in-progress", { subtasks: [sub("2.1", "pending", { deps: ["3.1"] })] });
    expect(next(dotted, task("3", "done", { subtasks: [sub("3.1", "done")] }))).toBe("2.1");
    expect(resolveDependencyId("1", task("2", "in-progress"))).toBe("2.1");
    expect(resolveDependencyId("3.1", task("2", "in-progress"))).toBe("3.1");
    expect(resolveDependencyId("1", null)).toBe("1");
  });

  it("falls back to top-level tasks when no subtask is ready (the in-progress parent itself included)", () => {
    const parent = task("2", "in-progress", { priority: "high", subtasks: [sub("2.1", "blocked"), sub("2.2", "pending", { deps: ["2.1"] })] });
    expect(next(task("1", "pending", { priority: "medium" }), parent)).toBe("2");
  });

  it("ranks subtasks by their priority, else the parent's, then fewer dependencies, then parent and subtask id", () => {
    const a = task("3", "in-progress", { priority: "high", subtasks: [sub("3.1", "pending"), sub("3.2", "pending", { priority: "critical" })] });
    const b = task("2", "in-progress", { priority: "low", subtasks: [sub("2.1", "pending", { priority: "high" })] });
    expect(nextTask(tag(a, b))).toMatchObject({ id: "3.2", priority: "critical", decidedBy: "priority", candidates: 3 });
    const inherited = task("3", "in-progress", { priority: "high", subtasks: [sub("3.1", "pending")] });
    expect(nextTask(tag(inherited, b))).toMatchObject({ id: "2.1", decidedBy: "id" });
    const fewer = task("4", "in-progress", { subtasks: [sub("4.1", "done"), sub("4.2", "pending", { deps: ["1"] }), sub("4.3", "pending")] });
    expect(nextTask(tag(fewer))).toMatchObject({ id: "4.3", decidedBy: "dependencies" });
    const byId = task("10", "in-progress", { subtasks: [sub("10.10", "pending"), sub("10.9", "pending")] });
    expect(next(byId, task("9", "in-progress", { subtasks: [sub("9.2", "pending")] }))).toBe("9.2");
    expect(next(byId)).toBe("10.9");
  });

  it("calls a subtask with no title 'Subtask <n>' as Task Master does", () => {
    const parent = task("2", "in-progress", { subtasks: [{ id: "2.1", status: "pending", dependencies: [] }] });
    expect(nextTask(tag(parent))?.title).toBe("Subtask 1");
  });
});

describe("nextTask: ranking top-level tasks", () => {
  it("puts critical over high over medium over low, an absent priority counting as medium", () => {
    expect(next(task("1", "pending", { priority: "low" }), task("2", "pending", { priority: "high" }), task("3", "pending", { priority: "critical" }))).toBe("3");
    expect(next(task("1", "pending", { priority: "low" }), task("2", "pending"))).toBe("2");
    expect(next(task("1", "pending"), task("2", "pending", { priority: "medium" }))).toBe("1");
  });

  it("then prefers fewer dependencies, then the lower id numerically", () => {
    expect(nextTask(tag(task("1", "done"), task("2", "pending", { deps: ["1"] }), task("3", "pending")))).toMatchObject({ id: "3", decidedBy: "dependencies" });
    expect(nextTask(tag(task("10", "pending"), task("9", "pending")))).toMatchObject({ id: "9", decidedBy: "id", candidates: 2 });
    expect(nextTask(tag(task("5", "pending")))).toMatchObject({ id: "5", decidedBy: "only", candidates: 1 });
  });
});

function state(tasks: Record<string, TaskState>, currentTag?: string): ChannelState {
  const s = emptyState();
  s.tasks.master = tasks;
  if (currentTag) s.meta.currentTag = currentTag;
  return s;
}

describe("nextTaskView", () => {
  it("shows the pick with its dependencies resolved and a reason", () => {
    const parent = task("2", "in-progress", { priority: "high", subtasks: [sub("2.1", "done"), sub("2.2", "pending", { deps: ["1"] })] });
    const view = nextTaskView(state(tag(task("1", "done"), parent)));
    expect(view).toEqual({
      found: true,
      tag: "master",
      id: "2.2",
      parentId: "2",
      title: "Sub 2.2",
      status: "pending",
      priority: "high",
      dependencies: [{ id: "2.1", title: "Sub 2.1", status: "done", satisfied: true }],
      reason: "Subtask of in-progress task 2: the only ready subtask",
    });
  });

  it("words the reason after the key that decided", () => {
    const reason = (...tasks: TaskState[]) => {
      const view = nextTaskView(state(tag(...tasks)));
      return view.found ? view.reason : view.message;
    };
    expect(reason(task("1", "pending", { priority: "high" }), task("2", "pending"))).toBe("Highest priority of 2 ready tasks");
    expect(reason(task("1", "done"), task("2", "pending", { deps: ["1"] }), task("3", "pending"))).toBe("Fewest dependencies of 2 ready tasks at medium priority");
    expect(reason(task("4", "pending"), task("3", "pending"))).toBe("Lowest id of 2 ready tasks at medium priority");
    expect(reason(task("4", "pending"))).toBe("The only ready task");
  });

  it("follows the current tag, and names no task when nothing is ready, saying why", () => {
    const s = state(tag(task("1", "pending")), "feature");
    s.tasks.feature = { "1": { ...task("1", "blocked"), tag: "feature" }, "2": { ...task("2", "deferred"), tag: "feature" }, "3": { ...task("3", "review"), tag: "feature" } };
    expect(nextTaskView(s)).toEqual({ found: false, tag: "feature", why: "none-pending", message: "No pending task: 1 blocked, 1 deferred, 1 in review." });
    expect(nextTaskView(s, "master")).toMatchObject({ found: true, id: "1" });
    expect(nextTaskView(state({}), "nope")).toEqual({ found: false, tag: "nope", why: "no-tasks", message: "No tasks in nope." });
    expect(nextTaskView(state(tag(task("1", "done"), task("2", "cancelled"))))).toMatchObject({ found: false, why: "all-done", message: "Every task is done." });
    expect(nextTaskView(state(tag(task("1", "blocked"), task("2", "pending", { deps: ["1"] }), task("3", "in-progress", { deps: ["1"] }))))).toMatchObject({
      found: false,
      why: "waiting",
      message: "All 2 pending or in-progress tasks wait on dependencies that are not done.",
    });
  });

  it("looks up each dependency's title and status, and never counts a missing one as done", () => {
    const s = state(tag(task("1", "done"), task("2", "pending", { deps: ["1"] })));
    const view = nextTaskView(s);
    expect(view.found && view.dependencies).toEqual([{ id: "1", title: "Task 1 title", status: "done", satisfied: true }]);
    expect(completedIds(tag(task("2", "pending", { deps: ["9"] }))).has("9")).toBe(false);
  });
});
