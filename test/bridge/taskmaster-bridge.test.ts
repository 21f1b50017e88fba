/**
 * Acceptance of the Task Master bridge, end to end: the real `task-master`
 * CLI edits a real project, the real bridge bin follows it, the real hub
 * (wrangler dev) stores it. After every step the hub's snapshot must equal
 * what the Task Master files say.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Paths, type ChannelMetrics, type DeltasResponse, type HubEvent } from "../../protocol/index.ts";
import { hostKey } from "../../bridge/src/agent/agent-events.ts";
import { DevServer, ROOT } from "../../dev/dev-server.ts";
import { HubClient } from "../../dev/hub-client.ts";
import { BridgeProcess, initTaskMasterProject, taskMaster, taskMasterEnv, waitFor } from "./bridge-process.ts";
import { fromFiles, fromHub, readTasksFile, readyCountFromFiles } from "./project-views.ts";

const CHANNEL = "tm-bridge-e2e";
const AGENT_ID = "bridge-e2e";
const MATCH_TIMEOUT_MS = 30_000;
const BULK_TASKS = 2500;

let server: DevServer;
let hub: HubClient;
let project: string;
let env: NodeJS.ProcessEnv;
let bridge: BridgeProcess | null = null;
const timings: Record<string, number> = {};
const suiteStarted = Date.now();

const outboxDir = () => join(project, ".taskmaster-live", CHANNEL, "outbox");
const outboxSegments = () => readdirSync(outboxDir()).filter((n) => /^\d{12}\.json$/.test(n));
const outboxEvents = (): HubEvent[] => outboxSegments().flatMap((n) => JSON.parse(readFileSync(join(outboxDir(), n), "utf8")) as HubEvent[]);

function startBridge(extra: string[] = []): BridgeProcess {
  const args = ["bridge", "--dir", project, "--hub", server.url, "--channel", CHANNEL, "--agent-id", AGENT_ID, "--max-retry-seconds", "1", "--verbose", ...extra];
  return new BridgeProcess(args, env);
}

/** Waits until the hub shows exactly what the files say; records how long that took. */
async function expectHubToMatchFiles(step: string, since = Date.now()): Promise<void> {
  let last: unknown = null;
  try {
    await waitFor(
      async () => {
        const snapshot = await hub.snapshot(CHANNEL);
        last = fromHub(snapshot.state);
        return JSON.stringify(last) === JSON.stringify(fromFiles(project)) ? true : undefined;
      },
      MATCH_TIMEOUT_MS,
      () => `the hub never matched the files after "${step}"`,
    );
  } catch (error) {
    expect(last, `${(error as Error).message}\n${bridge?.output.slice(-2000)}`).toEqual(fromFiles(project));
  }
  timings[step] = Date.now() - since;
}

async function metrics(): Promise<ChannelMetrics> {
  const res = await hub.get(Paths.metrics(CHANNEL), await hub.viewerTicket());
  expect(res.status).toBe(200);
  return res.json();
}

async function deltasSince(since: number, epoch: string) {
  const out = [];
  let cursor = since;
  for (;;) {
    const res = await hub.get(`${Paths.deltas(CHANNEL)}?since=${cursor}&epoch=${encodeURIComponent(epoch)}&replay=always`, await hub.viewerTicket());
    const body = (await res.json()) as DeltasResponse;
    if (!body.recovered) throw new Error("the hub could not replay the deltas");
    out.push(...body.deltas);
    if (body.deltas.length === 0 || cursor >= body.head) return out;
    cursor = body.deltas.at(-1)!.seq;
    if (cursor >= body.head) return out;
  }
}

beforeAll(async () => {
  env = taskMasterEnv();
  project = mkdtempSync(join(tmpdir(), "tml-project-"));
  const t0 = Date.now();
  const [started] = await Promise.all([DevServer.start(), initTaskMasterProject(project, env)]);
  server = started;
  hub = new HubClient(server.url);
  timings["hub start + task-master init"] = Date.now() - t0;
  // Task Master needs a tasks.json before add-task; seed it as a user would (two tasks).
  copyFileSync(join(ROOT, "test/fixtures/taskmaster/seed.tasks.json"), join(project, ".taskmaster/tasks/tasks.json"));
});

afterAll(async () => {
  await bridge?.stop(3000);
  await server?.stop();
  for (const dir of [project, env?.HOME]) if (dir) rmSync(dir, { recursive: true, force: true });
  console.log(
    `bridge e2e timings (ms): ${Object.entries(timings)
      .map(([k, v]) => `\n  ${k}: ${v}`)
      .join("")}\n  whole file: ${Date.now() - suiteStarted}`,
  );
});

describe("the bridge with the real Task Master CLI", () => {
  it("sends the whole project on start and reports itself online with host health", async () => {
    const t0 = Date.now();
    bridge = startBridge(["--health-seconds", "1", "--heartbeat-seconds", "2"]);
    await expectHubToMatchFiles("first full sync", t0);
    const snapshot = await waitFor(
      async () => {
        const s = await hub.snapshot(CHANNEL);
        return s.state.health[hostKey()]?.length ? s : undefined;
      },
      MATCH_TIMEOUT_MS,
      () => "no health sample arrived",
    );
    expect(snapshot.state.agents[AGENT_ID]).toMatchObject({ status: "online", name: expect.stringContaining("Task Master bridge") });
    expect(snapshot.state.meta.name).toBe(project.split("/").at(-1));
    const sample = snapshot.state.health[hostKey()]!.at(-1)!;
    expect(sample.queueDepth).toBe(readyCountFromFiles(project));
    expect(sample.memory!.usedBytes).toBeGreaterThan(0);
  });

  it("matches the files after every CLI command", async () => {
    const steps: [string, string[]][] = [
      ["add-task", ["add-task", "--title", "Write the API", "--description", "The REST API", "--details", "Use hono", "--dependencies", "1", "--priority", "high"]],
      ["add-subtask 1", ["add-subtask", "--parent", "2", "--title", "Routes", "--description", "HTTP routes"]],
      ["add-subtask 2", ["add-subtask", "--parent", "2", "--title", "Auth"]],
      ["set-status of several ids", ["set-status", "1,2.1,3", "done"]],
      ["add-dependency", ["add-dependency", "--id", "3", "--depends-on", "2"]],
      ["tags add", ["tags", "add", "feature", "--description", "Feature work"]],
      ["move to another tag", ["move", "--from", "3", "--from-tag", "master", "--to-tag", "feature", "--ignore-dependencies"]],
      ["remove-task", ["remove-task", "--id", "1", "-y"]],
      ["tags use", ["tags", "use", "feature"]],
    ];
    for (const [step, args] of steps) {
      timings[`cli ${step}`] = await taskMaster(project, env, ...args);
      await expectHubToMatchFiles(`hub matches after ${step}`);
    }
    const state = (await hub.snapshot(CHANNEL)).state;
    expect(state.meta.currentTag).toBe("feature");
    expect(state.tasks.feature?.["3"]?.title).toBe("Write the API");
    expect(state.tasks.master?.["2"]?.progress?.percent).toBe(50);
    expect(state.tasks.master?.["1"]).toBeUndefined();
  });

  it("delivers from its outbox what changed while the hub was down", async () => {
    await server.stop();
    const from = bridge!.output.length;
    await taskMaster(project, env, "add-task", "--title", "Offline work", "--description", "Done while the hub was down");
    await taskMaster(project, env, "set-status", "3", "in-progress");
    const [, waiting] = await bridge!.waitForOutput(/unreachable .*; (\d+) event\(s\) waiting in the outbox/, 20_000, from);
    expect(Number(waiting)).toBeGreaterThan(0);
    expect(outboxSegments().length).toBeGreaterThan(0);
    const t0 = Date.now();
    await server.restart();
    timings["hub restart"] = Date.now() - t0;
    await expectHubToMatchFiles("outbox drained after hub restart", t0);
    await waitFor(() => (outboxSegments().length === 0 ? true : undefined), 10_000, () => "the outbox did not empty");
  });

  it("loses nothing and applies nothing twice when killed mid-send and restarted", async () => {
    expect(await bridge!.stop()).toBe(0);
    expect((await hub.snapshot(CHANNEL)).state.agents[AGENT_ID]?.status).toBe("offline");
    const before = await metrics();
    const { seq: headBefore, epoch } = await hub.snapshot(CHANNEL);

    // A bulk change (as parse-prd would make), written the way Task Master writes: temp file, then rename.
    await server.stop();
    const file = readTasksFile(project);
    file.bulk = {
      tasks: Array.from({ length: BULK_TASKS }, (_, i) => ({
        id: i + 1,
        title: `Bulk task ${i + 1}`,
        description: "generated",
        status: i % 3 === 0 ? "done" : "pending",
        dependencies: i > 0 ? [i] : [],
        priority: "medium",
        subtasks: i % 10 === 0 ? [{ id: 1, title: "first", status: "done", dependencies: [] }, { id: 2, title: "second", status: "pending", dependencies: [] }] : [],
      })),
      metadata: { created: new Date().toISOString(), description: "bulk" },
    };
    const tasksFile = join(project, ".taskmaster/tasks/tasks.json");
    writeFileSync(`${tasksFile}.bulk-tmp`, JSON.stringify(file, null, 2));
    renameSync(`${tasksFile}.bulk-tmp`, tasksFile);

    // Live readings off, so the hub's counters count exactly the bridge's changes.
    bridge = startBridge(["--health-seconds", "0", "--heartbeat-seconds", "0"]);
    await bridge.waitForOutput(/queued \d+ event\(s\)/, 30_000);
    const pending = outboxEvents();
    const pendingIds = new Set(pending.map((e) => e.id));
    expect(pending.filter((e) => e.type === "task.upsert" && e.data.tag === "bulk")).toHaveLength(BULK_TASKS);
    const segmentsQueued = outboxSegments().length;
    expect(segmentsQueued).toBeGreaterThanOrEqual(Math.ceil(BULK_TASKS / 500));

    const t0 = Date.now();
    await server.restart();
    const atKill = await waitFor(
      () => {
        const left = outboxSegments().length;
        if (left === 0) throw new Error("the bridge delivered everything before it could be killed mid-send");
        return left < segmentsQueued ? left : undefined;
      },
      60_000,
      () => "the bridge never delivered a first batch",
      5,
    );
    bridge.signal("SIGKILL");
    await bridge.exited;
    const leftAfterKill = outboxSegments().length;
    expect(leftAfterKill).toBeGreaterThan(0);

    bridge = startBridge(["--health-seconds", "0", "--heartbeat-seconds", "0"]);
    await expectHubToMatchFiles("hub matches after kill -9 and restart", t0);
    await waitFor(() => (outboxSegments().length === 0 ? true : undefined), 20_000, () => "the outbox did not empty");
    timings["bulk events delivered"] = pendingIds.size;
    timings["outbox segments at kill"] = atKill;

    const after = await metrics();
    const accepted = after.events.accepted - before.events.accepted;
    const duplicates = after.events.duplicate - before.events.duplicate;
    console.log(`kill mid-send: ${pendingIds.size} events queued in ${segmentsQueued} segments, killed with ${leftAfterKill} left; hub accepted ${accepted}, duplicates ${duplicates}`);
    // Every queued event once, plus the restarted bridge's own `online` status and its reconciling `project.sync`: nothing re-derived under a new id.
    expect(accepted).toBe(pendingIds.size + 2);
    expect(after.events.stale - before.events.stale).toBe(0);
    expect(after.events.rejected - before.events.rejected).toBe(0);

    const deltas = await deltasSince(headBefore, epoch);
    const causes = deltas.map((d) => d.cause?.id).filter((id): id is string => id !== undefined);
    expect(new Set(causes).size).toBe(causes.length);
    const bulkSets = deltas.flatMap((d) => d.changes).filter((c) => c.kind === "task" && c.tag === "bulk" && c.op === "set");
    expect(bulkSets).toHaveLength(BULK_TASKS);
  });
});
