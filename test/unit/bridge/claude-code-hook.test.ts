import { describe, expect, it } from "vitest";
import { agentIdOf, reportOf, toolLabel, type HookPayload } from "../../../bridge/src/hooks/claude-code-hook.ts";
import { taskMoveOfShell, taskMoveOfToolCall, taskMoveOfToolResult } from "../../../bridge/src/hooks/task-master-calls.ts";

const base = { session_id: "4f1c2a9b-0d3e-4e55-9a1b-2c3d4e5f6a7b", cwd: "/p" };
const payload = (hook: string, extra: Record<string, unknown> = {}): HookPayload => ({ ...base, hook_event_name: hook, ...extra }) as HookPayload;
const five = { taskId: "5", tag: null };

describe("Claude Code hook mapping", () => {
  it("maps each hook to the documented status and keeps the task", () => {
    expect(reportOf(payload("SessionStart", { source: "startup" }), null)).toEqual({ status: "online", detail: null, task: null });
    expect(reportOf(payload("SessionStart", { source: "resume" }), five)).toEqual({ status: "online", detail: "session resumed", task: five });
    expect(reportOf(payload("UserPromptSubmit", { prompt: "hi" }), five)).toEqual({ status: "busy", detail: "working on a prompt", task: five });
    expect(reportOf(payload("PreToolUse", { tool_name: "Edit", tool_input: { file_path: "/p/src/app.ts" } }), five)).toEqual({ status: "busy", detail: "Edit: app.ts", task: five });
    expect(reportOf(payload("Notification", { message: "Claude needs your permission to use Bash" }), five)).toEqual({ status: "idle", detail: "waiting for you", task: five });
    expect(reportOf(payload("Stop", { stop_hook_active: false }), five)).toEqual({ status: "idle", detail: null, task: five });
    expect(reportOf(payload("SessionEnd", { reason: "prompt_input_exit" }), five)).toEqual({ status: "offline", detail: "session ended (prompt_input_exit)", task: null });
    expect(reportOf(payload("PreCompact"), five)).toBeNull();
    expect(reportOf(payload("PostToolUse", { tool_name: "Bash", tool_input: { command: "ls" } }), five)).toBeNull();
  });

  it("follows Task Master calls: in-progress and get_task set the task, done clears only that task", () => {
    const mcp = (tool: string, input: unknown) => reportOf(payload("PreToolUse", { tool_name: `mcp__task-master-ai__${tool}`, tool_input: input }), five)?.task;
    expect(mcp("set_task_status", { id: "7.2", status: "in-progress", projectRoot: "/p", tag: "feature" })).toEqual({ taskId: "7.2", tag: "feature" });
    expect(mcp("set_task_status", { id: "5", status: "done", projectRoot: "/p" })).toBeNull();
    expect(mcp("set_task_status", { id: "6,5", status: "cancelled" })).toBeNull();
    expect(mcp("set_task_status", { id: "8", status: "done" })).toEqual(five);
    expect(mcp("set_task_status", { id: "8", status: "review" })).toEqual(five);
    expect(mcp("get_task", { id: "9", projectRoot: "/p" })).toEqual({ taskId: "9", tag: null });
    expect(mcp("next_task", { projectRoot: "/p" })).toEqual(five);
  });

  it("reads next_task's answer after the call", () => {
    const answer = { content: [{ type: "text", text: JSON.stringify({ data: { nextTask: { id: 4, title: "x" }, isSubtask: false }, tag: "master" }) }] };
    expect(taskMoveOfToolResult("mcp__task-master-ai__next_task", answer)).toEqual({ kind: "start", taskId: "4", tag: "master" });
    expect(taskMoveOfToolResult("mcp__task-master-ai__next_task", answer.content)).toEqual({ kind: "start", taskId: "4", tag: "master" });
    expect(taskMoveOfToolResult("mcp__task-master-ai__next_task", { content: [{ type: "text", text: JSON.stringify({ data: { nextTask: null } }) }] })).toBeNull();
    expect(taskMoveOfToolResult("mcp__task-master-ai__next_task", "Error: boom")).toBeNull();
  });

  it("reads Task Master's CLI in shell commands, in every way it is run", () => {
    expect(taskMoveOfShell("task-master set-status --id=3 --status=in-progress")).toEqual({ kind: "start", taskId: "3", tag: null });
    expect(taskMoveOfShell("cd /p && npx -y -p task-master-ai task-master set-status --id 3.1 --status in-progress --tag feat")).toEqual({ kind: "start", taskId: "3.1", tag: "feat" });
    expect(taskMoveOfShell("tm set-status -i 3 -s done")).toEqual({ kind: "finish", taskIds: ["3"] });
    expect(taskMoveOfShell("npx task-master-ai show 12")).toEqual({ kind: "start", taskId: "12", tag: null });
    expect(taskMoveOfShell("task-master show --tag feat 12")).toEqual({ kind: "start", taskId: "12", tag: "feat" });
    expect(taskMoveOfShell(`echo "task-master show 4"`)).toBeNull();
    expect(taskMoveOfShell("task-master list")).toBeNull();
    expect(taskMoveOfShell("npx vitest run")).toBeNull();
    expect(taskMoveOfToolCall("Bash", { command: "TASKMASTER_SKIP_AUTO_UPDATE=1 task-master show 2" })).toEqual({ kind: "start", taskId: "2", tag: null });
  });

  it("gives each session a stable agent id and labels tools without their arguments", () => {
    expect(agentIdOf(base.session_id)).toBe("claude-code:4f1c2a9b0d3e");
    expect(agentIdOf(base.session_id)).toBe(agentIdOf(base.session_id));
    expect(agentIdOf("other")).not.toBe(agentIdOf(base.session_id));
    expect(toolLabel("Bash", { command: "curl -H 'Authorization: Bearer s3cret' x" })).toBe("Bash: curl");
    expect(toolLabel("mcp__task-master-ai__get_task", {})).toBe("task-master-ai: get_task");
    expect(toolLabel("Grep", { pattern: "x" })).toBe("Grep");
  });
});
