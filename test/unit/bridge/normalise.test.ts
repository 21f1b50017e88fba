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

  it("names subtasks parent.sub and drops Task Master's bookkeeping fields", () => {
    const { tasks } = normaliseTasksFile(tasksJson("03-set-status"));
    const task = tasks.master?.["2"];
    expect(task?.status).toBe("in-progress");
    expect(task?.subtasks).toEqual([
      { id: "2.1", title: "Routes", description: "HTTP routes", details: "", status: "done", dependencies: [] },
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
    expect(task && "status" in task).toBe(false);
    expect(task && "priority" in task).toBe(false);
    expect(task?.dependencies).toEqual(["1"]);
    expect(issues.map((i) => i.message).join("\n")).toMatch(/bad id[\s\S]*someday[\s\S]*no way[\s\S]*twice[\s\S]*tag name/);
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
