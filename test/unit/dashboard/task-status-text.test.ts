import { describe, expect, it } from "vitest";
import { emptyState, type TaskState } from "../../../protocol/index.ts";
import { taskRows } from "../../../dashboard/src/lib/view/tasks-view.ts";

describe("task rows show Task Master's own status text", () => {
  it("shows a raw (custom) status instead of its fallback, and a known status as it is", () => {
    const state = emptyState();
    const task = (id: string, extra: Partial<TaskState>): TaskState => ({ id, tag: "master", status: "pending", dependencies: [], subtasks: [], updatedAt: "2026-01-01T00:00:00Z", ...extra });
    state.tasks.master = {
      "1": task("1", { status: "blocked", statusRaw: "waiting-on-legal", subtasks: [{ id: "1.1", status: "blocked", statusRaw: "qa", dependencies: [] }] }),
      "2": task("2", { status: "done" }),
    };
    const [one, two] = taskRows(state, "master");
    expect(one).toMatchObject({ status: "blocked", statusText: "waiting-on-legal" });
    expect(one?.subtasks[0]).toMatchObject({ status: "blocked", statusText: "qa" });
    expect(two).toMatchObject({ status: "done", statusText: "done" });
  });
});
