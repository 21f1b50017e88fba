import { describe, expect, it } from "vitest";
import { formatSettings, hookEntries, mergeHookEntries, SettingsFileError, shellQuote } from "../../../bridge/src/hooks/claude-settings.ts";

const CMD = "/usr/bin/node /opt/taskmaster-live/dist/taskmaster-live.mjs hook claude-code";

describe("Claude Code settings merge", () => {
  it("adds an entry per hook, keeps the user's hooks and settings, and is a fixed point", () => {
    const user = {
      permissions: { allow: ["Bash(npm test)"] },
      hooks: { PreToolUse: [{ matcher: "Bash", hooks: [{ type: "command", command: "./audit.sh" }] }] },
    };
    const once = mergeHookEntries(user, CMD);
    expect(once.permissions).toEqual(user.permissions);
    expect(once.hooks!.PreToolUse).toEqual([user.hooks.PreToolUse[0], { hooks: [{ type: "command", command: CMD, timeout: 5 }] }]);
    expect(Object.keys(once.hooks!).sort()).toEqual(["Notification", "PostToolUse", "PreToolUse", "SessionEnd", "SessionStart", "Stop", "UserPromptSubmit"]);
    expect(once.hooks!.PostToolUse).toEqual([{ matcher: "mcp__task-master-ai__next_task", hooks: [{ type: "command", command: CMD, timeout: 5 }] }]);
    const twice = mergeHookEntries(JSON.parse(formatSettings(once)), CMD);
    expect(formatSettings(twice)).toBe(formatSettings(once));
    expect(user.hooks.PreToolUse).toHaveLength(1);
  });

  it("moves its own command in place when taskmaster-live moved", () => {
    const moved = mergeHookEntries(mergeHookEntries({}, CMD), "/new/node /new/taskmaster-live.mjs hook claude-code");
    expect(moved.hooks!.Stop).toEqual([{ hooks: [{ type: "command", command: "/new/node /new/taskmaster-live.mjs hook claude-code", timeout: 5 }] }]);
  });

  it("refuses files it cannot merge into", () => {
    expect(() => mergeHookEntries([], CMD)).toThrow(SettingsFileError);
    expect(() => mergeHookEntries({ hooks: [] }, CMD)).toThrow(/"hooks" is not an object/);
    expect(() => mergeHookEntries({ hooks: { Stop: {} } }, CMD)).toThrow(/hooks.Stop is not a list/);
  });

  it("quotes paths only when the shell needs it", () => {
    expect(shellQuote("/usr/bin/node")).toBe("/usr/bin/node");
    expect(shellQuote("/Users/a b/it's")).toBe(`'/Users/a b/it'\\''s'`);
    expect(Object.keys(hookEntries(CMD))).toHaveLength(7);
  });
});
