/**
 * "Next task" against the real `task-master next --format json`, live (no
 * fixtures): three generated projects, one whose answer is a subtask of an
 * in-progress task, one a top-level task, one nothing. Each is written as real
 * Task Master files; the CLI's answer must equal the dashboard's on the hub's
 * state of the same files.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nextTask } from "../../dashboard/src/lib/view/next-task.ts";
import { generateProject, offlineTaskMasterEnv, runTaskMasterNext, writeProject, type GeneratedProject } from "../../dev/next-task-projects.ts";
import { hubStateOf } from "../unit/dashboard/next-task-hub.ts";

/** Chain projects (see CHAIN_SEEDS_FROM) with seeds above those of the recorded fixtures, so they are new to the parity test. */
const FIRST_SEED = 1000;
const SEEDS_TRIED = 500;

type Kind = "subtask" | "task" | "none";

function kindOf(id: string | null): Kind {
  return id === null ? "none" : id.includes(".") ? "subtask" : "task";
}

function dashboardAnswer(project: GeneratedProject): string | null {
  const state = hubStateOf(project.tasksFile, project.currentTag);
  return nextTask(state.tasks[project.currentTag])?.id ?? null;
}

function firstProjectWhere(kind: Kind): GeneratedProject {
  for (let seed = FIRST_SEED; seed < FIRST_SEED + SEEDS_TRIED; seed++) {
    const project = generateProject(seed);
    if (kindOf(dashboardAnswer(project)) === kind) return project;
  }
  throw new Error(`no generated project in ${SEEDS_TRIED} seeds has a next task of kind ${kind}`);
}

let home: string;
const dirs: string[] = [];

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), "tml-next-home-"));
});

afterAll(() => {
  for (const dir of [...dirs, home]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("next task, live against the real CLI", () => {
  it.each(["subtask", "task", "none"] as const)("a project whose next is %s: the CLI names what the dashboard names", async (kind) => {
    const project = firstProjectWhere(kind);
    const dir = writeProject(project);
    dirs.push(dir);
    const started = Date.now();
    const answer = await runTaskMasterNext(dir, offlineTaskMasterEnv(home), null);
    console.log(`seed ${project.seed}: task-master next → ${answer.id ?? "none"} in ${Date.now() - started} ms`);
    expect(answer.tag).toBe(project.currentTag);
    expect(answer.id).toBe(dashboardAnswer(project));
    expect(kindOf(answer.id)).toBe(kind);
  });
});
