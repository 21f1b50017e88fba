import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Logger } from "../../../bridge/src/log.ts";
import { MemoryDeadLetters, MemoryOutbox } from "../../../bridge/src/outbox/memory-outbox.ts";
import { BaselineStore, freshBaseline, type Baseline } from "../../../bridge/src/sync/baseline-store.ts";
import { ProjectSync } from "../../../bridge/src/sync/project-sync.ts";
import { projectPaths } from "../../../bridge/src/taskmaster/project-files.ts";
import { tasksJson } from "./taskmaster-fixtures.ts";

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

function project(step: Parameters<typeof tasksJson>[0]) {
  const root = mkdtempSync(join(tmpdir(), "tml-sync-"));
  roots.push(root);
  const paths = projectPaths(root);
  mkdirSync(paths.tasksDir, { recursive: true });
  writeFileSync(paths.tasksFile, JSON.stringify(tasksJson(step)));
  return { root, paths, store: new BaselineStore(join(root, "baseline.json")) };
}

function sync(p: ReturnType<typeof project>, baseline: Baseline, nowMs = 1_000) {
  const outbox = new MemoryOutbox();
  const lines: string[] = [];
  const log: Logger = { info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m), debug() {} };
  const s = new ProjectSync({ paths: p.paths, name: "app", outbox, deadLetters: new MemoryDeadLetters(), store: p.store, baseline, log, nowMs: () => nowMs });
  return { s, outbox, lines };
}

describe("ProjectSync", () => {
  it("re-derives the very same event ids when a crash lost the baseline save", async () => {
    const p = project("02-add-subtask");
    const start = freshBaseline();
    const first = sync(p, start, 1_000);
    await first.s.request();
    // The crash: the outbox got the events, the baseline on disk is still `start`. A later run sees the same files.
    const second = sync(p, start, 9_000);
    await second.s.request();
    const ids = (o: MemoryOutbox) => o.peek(1000, 1e9).map((e) => e.id);
    expect(ids(second.outbox)).toEqual(ids(first.outbox));
    expect(first.outbox.peek(1000, 1e9).map((e) => e.type)).toEqual(["task.upsert", "task.upsert", "task.progress", "task.upsert", "project.sync", "project.meta"]);
  });

  it("saves the baseline after queueing, and then sends only what changed", async () => {
    const p = project("02-add-subtask");
    const first = sync(p, freshBaseline());
    await first.s.request();
    const saved = (await p.store.load()).baseline;
    expect(saved.view?.tasks.master?.["2"]?.subtasks).toHaveLength(2);
    writeFileSync(p.paths.tasksFile, JSON.stringify(tasksJson("03-set-status")));
    const next = sync(p, saved, 2_000);
    await next.s.request();
    // A new start reconciles once (project.sync); set-status also rewrote the tag's metadata without its description (project.meta).
    expect(next.outbox.peek(100, 1e9).map((e) => e.type)).toEqual(["task.upsert", "task.upsert", "task.progress", "project.sync", "project.meta"]);
    expect(next.lines.at(-1)).toMatch(/queued 5 event\(s\) \(2 task.upsert, 1 task.progress, 1 project.sync, 1 project.meta\); 5 in the outbox/);
    // Later syncs of the same run do not reconcile again.
    writeFileSync(p.paths.tasksFile, JSON.stringify(tasksJson("04-add-dependency")));
    await next.s.request();
    expect(next.outbox.peek(100, 1e9).map((e) => e.type).slice(5)).toEqual(["task.upsert", "project.meta"]);
  });

  it("dates events after the newest queued one even if the clock steps back", async () => {
    const p = project("00-seed");
    const { s, outbox } = sync(p, { ...freshBaseline(), lastOccurredAtMs: Date.parse("2030-01-01T00:00:00Z") });
    await s.request();
    expect(outbox.peek(10, 1e9)[0]?.occurredAt).toBe("2030-01-01T00:00:00.001Z");
  });

  it("waits for the next change when tasks.json stays unparsable, queueing nothing", async () => {
    const p = project("00-seed");
    writeFileSync(p.paths.tasksFile, '{"master": {"tasks": [');
    const { s, outbox, lines } = sync(p, freshBaseline());
    await s.request();
    expect(outbox.size).toBe(0);
    expect(lines.join("\n")).toMatch(/tasks.json could not be read as JSON .*waiting for the next change/);
    expect(() => readFileSync(join(p.root, "baseline.json"))).toThrow();
  });
});
