import { describe, expect, it } from "vitest";
import { currentTagOf, normaliseTasksFile, subtaskId } from "../../../bridge/src/taskmaster/normalise.ts";
import { stateJson, tasksJson } from "./taskmaster-fixtures.ts";

describe("normaliseTasksFile on files written by the real CLI", () => {
  it("turns ids into strings and keeps the fields the hub shows", () => {
    const { tasks, issues } = normaliseTasksFile(tasksJson("01-add-task"));
    expect(issues).toEqual([]);
    expect(Object.keys(tasks)).toEqual(["master"]);
    expect(tasks.master?.["3"]).toEqual({
      id: "3",
      title: "Write the API",
      description: "The REST API",
      details: "Use hono",
      testStrategy: "",
      status: "pending",
      priority: "high",
      dependencies: ["1"],
      subtasks: [],
    });
  });

  it("names subtasks parent.sub, carries Task Master's updatedAt as modifiedAt, and drops its bookkeeping fields", () => {
    const { tasks } = normaliseTasksFile(tasksJson("03-set-status"));
    const task = tasks.master?.["2"];
    expect(task?.status).toBe("in-progress");
    expect(task?.modifiedAt).toBe("2026-11-29T21:53:45.093Z");
    expect(task?.subtasks).toEqual([
      { id: "2.1", title: "Routes", description: "HTTP routes", details: "", status: "done", dependencies: [], modifiedAt: "2026-11-29T21:53:45.093Z" },
      { id: "2.2", title: "Auth", description: "", details: "", status: "pending", dependencies: [] },
    ]);
    expect(JSON.stringify(tasks)).not.toMatch(/parentTaskId|parentId|updatedAt/);
  });

  it("gives the same view when set-status flips ids to strings and add-dependency flips them back", () => {
    const flipped = normaliseTasksFile(tasksJson("03-set-status")).tasks;
    const back = normaliseTasksFile(tasksJson("04-add-dependency")).tasks;
    // The only real change of that step: task 3 now also depends on 2.
    expect(back.master?.["3"]?.dependencies).toEqual(["1", "2"]);
    expect({ ...back.master, "3": null }).toEqual({ ...flipped.master, "3": null });
  });

  it("leaves an empty tag out, as the hub does", () => {
    const { tasks } = normaliseTasksFile(tasksJson("05-tags-add"));
    expect(Object.keys(tasks)).toEqual(["master"]);
  });

  it("puts a moved task under its new tag", () => {
    const { tasks } = normaliseTasksFile(tasksJson("06-move"));
    expect(Object.keys(tasks.master ?? {})).toEqual(["1", "2"]);
    expect(tasks.feature?.["3"]?.title).toBe("Write the API");
  });

  it("reads the current tag from state.json, master when absent", () => {
    expect(currentTagOf(stateJson("07-remove-task"))).toBe("master");
    expect(currentTagOf(stateJson("08-tags-use"))).toBe("feature");
    expect(currentTagOf(null)).toBe("master");
    expect(currentTagOf({ currentTag: "has space" })).toBe("master");
  });
});

describe("normaliseTasksFile on odd input", () => {
  it("reads the legacy untagged format as tag master", () => {
    const { tasks } = normaliseTasksFile({ tasks: [{ id: 1, title: "Old", status: "done", dependencies: [] }] });
    expect(tasks.master?.["1"]?.status).toBe("done");
  });

  it("reports and leaves out what the hub cannot take, keeping the rest", () => {
    const { tasks, issues } = normaliseTasksFile({
      master: {
        tasks: [
          { id: "bad id", title: "x" },
          { id: 2, title: "ok", status: "someday", priority: "urgent", dependencies: [1, "no way", null] },
          { id: 2, title: "again" },
        ],
      },
      "bad tag!": { tasks: [{ id: 1, title: "lost" }] },
    });
    expect(Object.keys(tasks)).toEqual(["master"]);
    const task = tasks.master?.["2"];
    expect(task?.title).toBe("ok");
    // A status the hub does not know is kept as text, and counts as blocked (never silently pending).
    expect(task).toMatchObject({ status: "blocked", statusRaw: "someday" });
    expect(task && "priority" in task).toBe(false);
    expect(task?.dependencies).toEqual(["1"]);
    expect(issues.map((i) => i.message).join("\n")).toMatch(/bad id[\s\S]*urgent[\s\S]*no way[\s\S]*twice[\s\S]*tag name/);
  });

  it("cuts text the hub would refuse as too long", () => {
    const { tasks } = normaliseTasksFile({ master: { tasks: [{ id: 1, title: "t".repeat(5000), details: "d".repeat(300_000) }] } });
    expect(tasks.master?.["1"]?.title).toHaveLength(2000);
    expect(tasks.master?.["1"]?.details).toHaveLength(200_000);
  });

  it("keeps a subtask id that already has a dot", () => {
    expect(subtaskId("5", 2)).toBe("5.2");
    expect(subtaskId("5", "5.3")).toBe("5.3");
    expect(subtaskId("5", null)).toBeNull();
  });
});

describe("normaliseTasksFile reads as Task Master does", () => {
  it("reads a bare dependency inside a subtask as its sibling, keeping dotted ids and task dependencies", () => {
    const { tasks } = normaliseTasksFile({
      master: { tasks: [{ id: 2, title: "p", dependencies: [1], subtasks: [{ id: 1, title: "a" }, { id: 2, title: "b", dependencies: [1, "3.1"] }] }] },
    });
    expect(tasks.master?.["2"]?.dependencies).toEqual(["1"]);
    expect(tasks.master?.["2"]?.subtasks[1]?.dependencies).toEqual(["2.1", "3.1"]);
  });

  it("reads completed as done, and a missing status as pending", () => {
    const { tasks } = normaliseTasksFile({ master: { tasks: [{ id: 1, title: "old", status: "completed", subtasks: [{ id: 1, title: "s", status: "completed" }] }, { id: 2, title: "new" }] } });
    expect(tasks.master?.["1"]?.status).toBe("done");
    expect(tasks.master?.["1"]?.subtasks[0]?.status).toBe("done");
    expect(tasks.master?.["1"] && "statusRaw" in tasks.master["1"]).toBe(false);
    expect(tasks.master?.["2"]?.status).toBe("pending");
  });

  it("carries metadata and timestamps within the hub's rules, and lists every tag with its description", () => {
    const { tasks, tags, issues } = normaliseTasksFile({
      master: { tasks: [{ id: 1, title: "t", metadata: { owner: "ada" }, createdAt: "2026-01-01T00:00:00.000Z", updatedAt: "not a date" }], metadata: { description: "Main" } },
      empty: { tasks: [], metadata: {} },
    });
    expect(tasks.master?.["1"]).toMatchObject({ metadata: { owner: "ada" }, createdAt: "2026-01-01T00:00:00.000Z" });
    expect(tasks.master?.["1"] && "modifiedAt" in tasks.master["1"]).toBe(false);
    expect(tags).toEqual([{ name: "master", description: "Main" }, { name: "empty" }]);
    expect(issues).toEqual([]);
  });

  it("leaves out fields Task Master dropped, so the bridge can clear them", () => {
    const { tasks } = normaliseTasksFile({ master: { tasks: [{ id: 1, title: "t", status: "pending", dependencies: [] }] } });
    expect(tasks.master?.["1"]).toEqual({ id: "1", title: "t", status: "pending", dependencies: [], subtasks: [] });
  });
});
