import { describe, expect, it } from "vitest";
import { emptyState, type ChannelState } from "../../../protocol/index.ts";
import { agentRows } from "../../../dashboard/src/lib/view/agents-view.ts";
import { taskRows, workingAgents } from "../../../dashboard/src/lib/view/tasks-view.ts";

const at = "2026-11-01T10:00:00.000Z";
function state(): ChannelState {
  const s = emptyState();
  s.meta.currentTag = "master";
  s.tasks.master = { "2": { id: "2", tag: "master", title: "Checkout", status: "in-progress", dependencies: [], subtasks: [], updatedAt: at, agents: ["claude-code:abc", "ghost"] } };
  s.tasks.feature = { "2": { id: "2", tag: "feature", title: "Feature two", status: "pending", dependencies: [], subtasks: [], updatedAt: at } };
  s.agents["claude-code:abc"] = { id: "claude-code:abc", name: "Claude Code · shop", status: "busy", taskId: "2", detail: null, lastSeenAt: at, updatedAt: at };
  s.agents.f = { id: "f", status: "busy", taskId: "2", taskTag: "feature", detail: null, lastSeenAt: at, updatedAt: at };
  return s;
}

describe("agents on tasks", () => {
  it("names the agents working on a task row, from the hub's list", () => {
    const s = state();
    const [row] = taskRows(s, "master");
    expect(workingAgents(row!, s.agents)).toEqual([
      { id: "claude-code:abc", name: "Claude Code · shop", status: "busy" },
      { id: "ghost", name: "ghost", status: "online" },
    ]);
    expect(taskRows(s, "feature")[0]!.workingAgentIds).toEqual([]);
  });

  it("titles an agent's task from its own tag first", () => {
    const rows = agentRows(state());
    expect(rows.find((r) => r.id === "f")?.taskTitle).toBe("Feature two");
    expect(rows.find((r) => r.id === "claude-code:abc")?.taskTitle).toBe("Checkout");
  });
});
