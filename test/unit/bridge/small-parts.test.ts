import { describe, expect, it } from "vitest";
import { channelFromFolderName, checkHubUrl } from "../../../bridge/src/config.ts";
import { cpuPercentBetween } from "../../../bridge/src/presence/host-health.ts";
import { isRelevantFileName } from "../../../bridge/src/taskmaster/folder-watcher.ts";
import { normaliseTasksFile } from "../../../bridge/src/taskmaster/normalise.ts";
import { countReadyTasks } from "../../../bridge/src/taskmaster/ready-tasks.ts";
import { tasksJson } from "./taskmaster-fixtures.ts";

describe("countReadyTasks", () => {
  it("counts pending tasks whose dependencies are done or cancelled", () => {
    const t = (id: string, status: string, dependencies: string[] = []) => ({ id, status, dependencies, subtasks: [] });
    const tasks = Object.fromEntries(
      [t("1", "done"), t("2", "cancelled"), t("3", "pending", ["1", "2"]), t("4", "pending", ["3"]), t("5", "pending"), t("6", "in-progress"), t("7", "pending", ["99"])].map((x) => [x.id, x]),
    );
    expect(countReadyTasks(tasks as never)).toBe(2);
    expect(countReadyTasks(undefined)).toBe(0);
  });

  it("on the real CLI's file: after set-status, task 3 (depends on done task 1) is ready", () => {
    expect(countReadyTasks(normaliseTasksFile(tasksJson("03-set-status")).tasks.master)).toBe(1);
    expect(countReadyTasks(normaliseTasksFile(tasksJson("01-add-task")).tasks.master)).toBe(1);
  });
});

describe("cpuPercentBetween", () => {
  it.each([
    [{ idleMs: 0, totalMs: 0 }, { idleMs: 750, totalMs: 1000 }, 25],
    [{ idleMs: 100, totalMs: 200 }, { idleMs: 100, totalMs: 300 }, 100],
    [{ idleMs: 5, totalMs: 10 }, { idleMs: 5, totalMs: 10 }, null],
  ])("%o → %o is %s", (a, b, expected) => {
    expect(cpuPercentBetween(a, b)).toBe(expected);
  });
});

describe("isRelevantFileName", () => {
  it.each([
    ["tasks.json", true],
    ["state.json", true],
    [".tasks.json.tmp", false],
    ["tasks.json.lock", false],
    ["config.json", false],
    [null, true],
  ])("%s → %s", (name, relevant) => {
    expect(isRelevantFileName(name)).toBe(relevant);
  });
});

describe("config", () => {
  it.each([
    ["My Project", "my-project"],
    ["api_v2.service", "api_v2.service"],
    ["--x", "x"],
    ["日本", null],
  ])("folder %s → channel %s", (folder, channel) => {
    expect(channelFromFolderName(folder)).toBe(channel);
  });

  it("checks the hub URL", () => {
    expect(checkHubUrl("http://127.0.0.1:8787/")).toBe("http://127.0.0.1:8787");
    expect(() => checkHubUrl("127.0.0.1:8787")).toThrow(/http/);
  });
});
