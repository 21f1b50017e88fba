/**
 * Task Master fidelity, end to end with the real `task-master` CLI, the real
 * bridge bin and the real hub (wrangler dev): after every step the hub's
 * snapshot equals everything Task Master's own files say (statuses read as
 * Task Master reads them, sibling subtask dependencies, cleared fields,
 * complexity reports, tag descriptions), including a bridge started against
 * a hub holding a stale copy of the project, a custom --file, and the
 * project name from config.json.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyChanges, Paths, type ChannelState, type DeltasResponse, type HubEventInput } from "../../protocol/index.ts";
import { stableJson } from "../../bridge/src/sync/stable-json.ts";
import { DevServer, ROOT } from "../../dev/dev-server.ts";
import { HubClient } from "../../dev/hub-client.ts";
import { BridgeProcess, initTaskMasterProject, taskMaster, taskMasterEnv, waitFor } from "./bridge-process.ts";
import { fullFromFiles, fullFromHub } from "./fidelity-views.ts";

const CHANNEL = "tm-fidelity-e2e";
const MATCH_TIMEOUT_MS = 30_000;

let server: DevServer;
let hub: HubClient;
let project: string;
let env: NodeJS.ProcessEnv;
const bridges: BridgeProcess[] = [];
const timings: Record<string, number> = {};

const tasksFile = () => join(project, ".taskmaster/tasks/tasks.json");

function startBridge(dir: string, extra: string[]): BridgeProcess {
  const bridge = new BridgeProcess(["bridge", "--dir", dir, "--hub", server.url, "--max-retry-seconds", "1", "--health-seconds", "0", "--heartbeat-seconds", "0", ...extra], env);
  bridges.push(bridge);
  return bridge;
}

/** Writes a file the way Task Master and editors do: a temp file renamed over it. */
function writeAtomically(file: string, body: unknown): void {
  writeFileSync(`${file}.fidelity-tmp`, JSON.stringify(body, null, 2));
  renameSync(`${file}.fidelity-tmp`, file);
}

function editTasks(edit: (raw: Record<string, { tasks: Record<string, unknown>[] }>) => void): void {
  const raw = JSON.parse(readFileSync(tasksFile(), "utf8")) as Record<string, { tasks: Record<string, unknown>[] }>;
  edit(raw);
  writeAtomically(tasksFile(), raw);
}

/** Waits until the hub shows exactly what the files say; records how long that took. */
async function expectHubToMatchFiles(step: string, channel = CHANNEL, expected = () => fullFromFiles(project), bridge = bridges[0]): Promise<ChannelState> {
  const since = Date.now();
  let last: unknown = null;
  let state: ChannelState | null = null;
  try {
    await waitFor(
      async () => {
        state = (await hub.snapshot(channel)).state;
        last = fullFromHub(state);
        return stableJson(last) === stableJson(expected()) ? true : undefined;
      },
      MATCH_TIMEOUT_MS,
      () => `the hub never matched the files after "${step}"`,
    );
  } catch (error) {
    expect(JSON.parse(stableJson(last)), `${(error as Error).message}\n${bridge?.output.slice(-3000) ?? ""}`).toEqual(JSON.parse(stableJson(expected())));
  }
  timings[step] = Date.now() - since;
  return state!;
}

async function deltasAfter(channel: string, since: number, epoch: string): Promise<DeltasResponse & { recovered: true }> {
  const res = await hub.get(`${Paths.deltas(channel)}?since=${since}&epoch=${encodeURIComponent(epoch)}&replay=always`, await hub.viewerTicket());
  const body = (await res.json()) as DeltasResponse;
  if (!body.recovered) throw new Error("the hub could not replay the deltas");
  return body;
}

let eventCounter = 0;
type TaskUpsertInput = Extract<HubEventInput, { type: "task.upsert" }>;
const staleUpsert = (tag: string, task: TaskUpsertInput["data"]["task"]): TaskUpsertInput => ({
  id: `stale-${++eventCounter}`,
  type: "task.upsert",
  occurredAt: new Date(Date.now() - 60_000).toISOString(),
  data: { tag, task },
});

beforeAll(async () => {
  env = taskMasterEnv();
  project = mkdtempSync(join(tmpdir(), "tml-fidelity-"));
  const t0 = Date.now();
  const [started] = await Promise.all([DevServer.start(), initTaskMasterProject(project, env)]);
  server = started;
  hub = new HubClient(server.url);
  timings["hub start + task-master init"] = Date.now() - t0;
  copyFileSync(join(ROOT, "test/fixtures/taskmaster/seed.tasks.json"), tasksFile());
});

afterAll(async () => {
  for (const bridge of bridges) await bridge.stop(3000);
  await server?.stop();
  for (const dir of [project, env?.HOME]) if (dir) rmSync(dir, { recursive: true, force: true });
  console.log(`fidelity e2e timings (ms): ${Object.entries(timings).map(([k, v]) => `\n  ${k}: ${v}`).join("")}`);
});

describe("Task Master fidelity with the real CLI", () => {
  let bridge: BridgeProcess;

  it("a bridge started against a hub holding a stale copy makes the hub equal to the files, never showing an empty project", async () => {
    // An earlier state of the project: a task and a tag that no longer exist, and fields Task Master no longer has.
    await hub.send(CHANNEL, [
      staleUpsert("master", { id: 1, title: "Set up the repository", priority: "critical", details: "old details", statusRaw: "legacy-state" }),
      staleUpsert("master", { id: 2, title: "Design the data model" }),
      staleUpsert("master", { id: 99, title: "Removed long ago", status: "in-progress" }),
      staleUpsert("archived", { id: 1, title: "A tag that no longer exists" }),
    ]);
    const before = await hub.snapshot(CHANNEL);
    const t0 = Date.now();
    bridge = startBridge(project, ["--channel", CHANNEL]);
    await expectHubToMatchFiles("stale hub reconciled on start", CHANNEL, () => fullFromFiles(project), bridge);
    timings["stale hub reconciled on start"] = Date.now() - t0;

    const state = (await hub.snapshot(CHANNEL)).state;
    expect(state.tasks.archived).toBeUndefined();
    expect(state.tasks.master?.["99"]).toBeUndefined();
    expect(state.tasks.master?.["1"]).not.toHaveProperty("details", "old details");
    // Every state a viewer went through, delta by delta: the project was never empty.
    const replay = structuredClone(before.state);
    const { deltas } = await deltasAfter(CHANNEL, before.seq, before.epoch);
    expect(deltas.length).toBeGreaterThan(0);
    for (const delta of deltas) {
      applyChanges(replay, delta.changes);
      expect(Object.keys(replay.tasks.master ?? {}).length, `after delta ${delta.seq} (${delta.cause?.type})`).toBeGreaterThan(0);
    }
    const sync = deltas.filter((d) => d.cause?.type === "project.sync");
    expect(sync).toHaveLength(1);
    expect(sync[0]!.changes.map((c) => (c.kind === "task" ? `${c.op} ${c.tag}/${c.key}` : c.kind)).sort()).toEqual(["remove archived/1", "remove master/99"]);
    expect(bridge.output).toContain(`channel ${CHANNEL}: the dashboard is at ${server.url}/c/${CHANNEL}`);
  });

  it("reads a subtask's bare dependency as its sibling (add-subtask --parent 2 --dependencies 1)", async () => {
    timings["cli add-subtask 1"] = await taskMaster(project, env, "add-subtask", "--parent", "2", "--title", "Schema");
    timings["cli add-subtask 2"] = await taskMaster(project, env, "add-subtask", "--parent", "2", "--title", "Migrations", "--dependencies", "1");
    const written = JSON.parse(readFileSync(tasksFile(), "utf8")) as { master: { tasks: { id: number; subtasks: { id: number; dependencies: unknown[] }[] }[] } };
    expect(written.master.tasks.find((t) => t.id === 2)?.subtasks.find((s) => s.id === 2)?.dependencies).toEqual([1]);
    const state = await expectHubToMatchFiles("sibling subtask dependency");
    expect(state.tasks.master?.["2"]?.subtasks.find((s) => s.id === "2.2")?.dependencies).toEqual(["2.1"]);
  });

  it("carries completed as done, a custom status as raw text, and clears a priority and details removed from the file", async () => {
    editTasks((raw) => {
      const [one, two] = raw.master!.tasks as Record<string, unknown>[];
      one!.status = "completed";
      two!.status = "waiting-on-legal";
      delete two!.priority;
      two!.details = "## Plan\n\n- tables";
    });
    let state = await expectHubToMatchFiles("completed, custom status");
    expect(state.tasks.master?.["1"]?.status).toBe("done");
    expect(state.tasks.master?.["2"]).toMatchObject({ status: "blocked", statusRaw: "waiting-on-legal" });
    expect(state.tasks.master?.["2"]).not.toHaveProperty("priority");

    editTasks((raw) => {
      const two = raw.master!.tasks[1]!;
      delete two.details;
      two.status = "in-progress";
    });
    state = await expectHubToMatchFiles("details removed");
    expect(state.tasks.master?.["2"]).not.toHaveProperty("details");
    expect(state.tasks.master?.["2"]).not.toHaveProperty("statusRaw");
  });

  it("joins a complexity report to its tasks, and follows it when it changes", async () => {
    const reports = join(project, ".taskmaster/reports");
    mkdirSync(reports, { recursive: true });
    const write = (score: number) =>
      writeFileSync(
        join(reports, "task-complexity-report.json"),
        JSON.stringify({ meta: { generatedAt: new Date().toISOString(), thresholdScore: 5 }, complexityAnalysis: [{ taskId: 2, taskTitle: "Design the data model", complexityScore: score, recommendedSubtasks: 4, expansionPrompt: "split", reasoning: "several tables" }] }, null, "\t"),
      );
    write(6);
    let state = await expectHubToMatchFiles("complexity report written");
    expect(state.tasks.master?.["2"]?.complexity).toEqual({ score: 6, recommendedSubtasks: 4, reasoning: "several tables" });
    write(9);
    state = await expectHubToMatchFiles("complexity report changed");
    expect(state.tasks.master?.["2"]?.complexity?.score).toBe(9);
  });

  it("follows a custom --file, and takes the channel and name from config.json's projectName", async () => {
    const configFile = join(project, ".taskmaster/config.json");
    const config = JSON.parse(readFileSync(configFile, "utf8")) as { global: Record<string, unknown> };
    config.global.projectName = "Shop Front";
    writeFileSync(configFile, JSON.stringify(config, null, 2));
    mkdirSync(join(project, "planning"));
    const custom = join(project, "planning/sprint.json");
    copyFileSync(join(ROOT, "test/fixtures/taskmaster/seed.tasks.json"), custom);

    const other = startBridge(project, ["--file", custom]);
    await other.waitForOutput(/channel shop-front: the dashboard is at (\S+)/, 30_000);
    expect(other.output).toContain(`channel shop-front: the dashboard is at ${server.url}/c/shop-front`);
    const expected = () => fullFromFiles(project, custom);
    await expectHubToMatchFiles("custom --file", "shop-front", expected, other);
    expect((await hub.snapshot("shop-front")).state.meta.name).toBe("Shop Front");

    const raw = JSON.parse(readFileSync(custom, "utf8")) as { master: { tasks: Record<string, unknown>[] } };
    raw.master.tasks[0]!.status = "done";
    writeAtomically(custom, raw);
    const state = await expectHubToMatchFiles("custom --file edited", "shop-front", expected, other);
    expect(state.tasks.master?.["1"]?.status).toBe("done");
  });
});
