import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FolderWatcher } from "../../../bridge/src/taskmaster/folder-watcher.ts";
import { projectPaths } from "../../../bridge/src/taskmaster/project-files.ts";

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Writes tasks.json the way Task Master 0.43 does: lock folder, temp file, rename over, unlock. */
function writeLikeTaskMaster(tasksDir: string, body: string): void {
  mkdirSync(join(tasksDir, "tasks.json.lock"));
  writeFileSync(join(tasksDir, ".tasks.json.tmp"), body);
  renameSync(join(tasksDir, ".tasks.json.tmp"), join(tasksDir, "tasks.json"));
  rmSync(join(tasksDir, "tasks.json.lock"), { recursive: true });
}

async function waitUntil(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate() && Date.now() < deadline) await sleep(10);
  return predicate();
}

describe("FolderWatcher", () => {
  it("hears every atomic rename (not only the first), debounces a double write, and ignores locks and temp files", async () => {
    const root = mkdtempSync(join(tmpdir(), "tml-watch-"));
    const paths = projectPaths(root);
    mkdirSync(paths.tasksDir, { recursive: true });
    writeFileSync(paths.tasksFile, "{}");
    let calls = 0;
    // A poll far slower than the test: only the folder watchers can explain the calls.
    const watcher = new FolderWatcher(paths, () => calls++, { debounceMs: 40, pollIntervalMs: 60_000 });
    cleanup.push(() => watcher.close(), () => rmSync(root, { recursive: true, force: true }));
    await sleep(50);

    writeLikeTaskMaster(paths.tasksDir, '{"a":1}');
    await sleep(10);
    writeLikeTaskMaster(paths.tasksDir, '{"a":2}'); // Task Master sometimes writes twice within ~15 ms
    expect(await waitUntil(() => calls === 1, 2000)).toBe(true);
    await sleep(150);
    expect(calls).toBe(1);

    writeLikeTaskMaster(paths.tasksDir, '{"a":3}');
    expect(await waitUntil(() => calls === 2, 2000)).toBe(true);

    writeFileSync(join(paths.taskmasterDir, "state.json"), '{"currentTag":"x"}');
    expect(await waitUntil(() => calls === 3, 2000)).toBe(true);

    mkdirSync(join(paths.tasksDir, "tasks.json.lock"));
    writeFileSync(join(paths.tasksDir, ".tasks.json.tmp"), "x");
    writeFileSync(join(paths.taskmasterDir, "config.json"), "{}");
    await sleep(200);
    expect(calls).toBe(3);
  });

  it("falls back to the poll when the tasks folder appears later", async () => {
    const root = mkdtempSync(join(tmpdir(), "tml-watch-"));
    const paths = projectPaths(root);
    mkdirSync(paths.taskmasterDir, { recursive: true });
    let calls = 0;
    const watcher = new FolderWatcher(paths, () => calls++, { debounceMs: 20, pollIntervalMs: 50 });
    cleanup.push(() => watcher.close(), () => rmSync(root, { recursive: true, force: true }));
    await sleep(80);
    mkdirSync(paths.tasksDir);
    writeFileSync(paths.tasksFile, "{}");
    expect(await waitUntil(() => calls >= 1, 2000)).toBe(true);
  });
});
