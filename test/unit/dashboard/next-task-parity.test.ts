/**
 * The dashboard's "next task" against the real `task-master next --format json`
 * (task-master-ai 0.43.1): each fixture holds a generated project and what the
 * CLI answered for it (scripts/record-next-fixtures.ts records them). The
 * project goes through the bridge and the hub's reducer as it would live, then
 * `nextTask` must name the same task, or none when the CLI named none.
 * Seeds 1-60 are mixed projects; seeds from CHAIN_SEEDS_FROM on are chain
 * projects, where cancelled dependencies and the parent-status rule decide.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DEFAULT_TAG } from "../../../protocol/index.ts";
import { nextTask, nextTaskView } from "../../../dashboard/src/lib/view/next-task.ts";
import { CHAIN_SEEDS_FROM, generateProject, parseNextOutput, type NextFixture } from "../../../dev/next-task-projects.ts";
import { hubStateOf } from "./next-task-hub.ts";

const DIR = fileURLToPath(new URL("../../fixtures/next-task/", import.meta.url));
const fixtures: NextFixture[] = readdirSync(DIR)
  .filter((name) => /^project-\d+\.json$/.test(name))
  .sort()
  .map((name) => JSON.parse(readFileSync(DIR + name, "utf8")) as NextFixture);
const queries = fixtures.flatMap((f) => f.queries.map((q) => ({ fixture: f, query: q })));

describe("next task: parity with task-master next", () => {
  it("has at least 50 recorded projects, with subtask picks, task picks and empty answers among them", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(50);
    expect(fixtures.filter((f) => f.seed >= CHAIN_SEEDS_FROM).length).toBeGreaterThanOrEqual(20);
    const ids = queries.map(({ query }) => query.expected.id);
    expect(ids.filter((id) => id?.includes(".")).length).toBeGreaterThanOrEqual(5);
    expect(ids.filter((id) => id !== null && !id.includes(".")).length).toBeGreaterThanOrEqual(5);
    expect(ids.filter((id) => id === null).length).toBeGreaterThanOrEqual(5);
    expect(queries.filter(({ query }) => query.tag !== null).length).toBeGreaterThanOrEqual(5);
  });

  it("records projects the generator still makes from the same seeds", () => {
    for (const fixture of fixtures) {
      const project = generateProject(fixture.seed);
      expect({ tasksFile: project.tasksFile, currentTag: project.currentTag }, `seed ${fixture.seed}`).toEqual({ tasksFile: fixture.tasksFile, currentTag: fixture.currentTag });
    }
  });

  it.each(queries.map(({ fixture, query }) => [`seed ${fixture.seed}, ${query.tag === null ? "current tag" : `--tag ${query.tag}`}`, fixture, query] as const))(
    "%s: names the task the CLI named",
    (_name, fixture, query) => {
      const state = hubStateOf(fixture.tasksFile, fixture.currentTag);
      const tag = query.tag ?? state.meta.currentTag ?? DEFAULT_TAG;
      expect(tag).toBe(query.expected.tag);
      const pick = nextTask(state.tasks[tag]);
      expect(pick ? { id: pick.id, title: pick.title } : null).toEqual(query.expected.found ? { id: query.expected.id, title: query.expected.title } : null);
      const view = nextTaskView(state, tag);
      expect(view.found).toBe(query.expected.found);
      if (!view.found) expect(view.why === "no-tasks").toBe(!query.expected.hasAnyTasks);
    },
  );
});

describe("reading task-master next --format json", () => {
  it("takes the JSON block between the telemetry notice and the boxed tip", () => {
    const json = JSON.stringify({ task: { id: "2.3", title: "B3", status: "pending" }, found: true, tag: "master", storageType: "file", hasAnyTasks: true }, null, 2);
    const stdout = `✓ Anonymous telemetry disabled per user preference.\n${json}\n\n╭────╮\n│ FYI: {tags} │\n╰────╯\n`;
    expect(parseNextOutput(stdout)).toEqual({ tag: "master", found: true, id: "2.3", title: "B3", hasAnyTasks: true });
    const none = JSON.stringify({ task: null, found: false, tag: "ui", storageType: "file", hasAnyTasks: false }, null, 2);
    expect(parseNextOutput(none)).toEqual({ tag: "ui", found: false, id: null, title: null, hasAnyTasks: false });
    expect(() => parseNextOutput("Invalid task status: completed\n")).toThrow(/no JSON object/);
  });
});
