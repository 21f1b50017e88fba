/**
 * Acceptance of the Claude Code hooks, end to end: the packaged CLI
 * (bridge/dist, plain JavaScript), installed into a project with `hook
 * install`, is run exactly as Claude Code runs it (the command from
 * .claude/settings.local.json, through a shell, the payload on stdin) with
 * the fixture session, against the real hub (wrangler dev). After each step
 * the hub must show the agent's status, its task, and the task's agents;
 * with the hub down, every report waits and arrives, in order, once it is back.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyChanges, Paths, type ChannelState, type DeltasResponse } from "../../protocol/index.ts";
import { DevServer, ROOT } from "../../dev/dev-server.ts";
import { HubClient } from "../../dev/hub-client.ts";
import { TEST_SECRETS } from "../../dev/secrets.ts";
import { agentIdOf } from "../../bridge/src/hooks/claude-code-hook.ts";
import { flushReports } from "../../bridge/src/hooks/report-sender.ts";
import { findAgentTarget } from "../../bridge/src/hooks/agent-target.ts";
import { BridgeProcess, waitFor } from "./bridge-process.ts";
import { buildCli, DIST_BIN } from "./packaged-cli.ts";

const CHANNEL = "checkout-revamp";
/**
 * The hook's time per call is printed here, not asserted: a pass/fail timing on
 * a shared CI machine says more about the machine than the hook. `npm run
 * bench:hook` measures it against the bounds.
 */
const BARE_NODE = `${process.execPath} -e 0`;

interface Step {
  readonly step: string;
  readonly payload: Record<string, unknown>;
  readonly expect: { readonly status: string; readonly taskId: string | null; readonly detail: string | null };
}
const fixture = JSON.parse(readFileSync(join(ROOT, "test/fixtures/claude-code/session.json"), "utf8")) as { steps: Step[] };

let server: DevServer;
let hub: HubClient;
let base: string;
let project: string;
let hookCommand: string;
let env: NodeJS.ProcessEnv;
const timings: Record<string, number[]> = { "hub up": [], "hub down": [], "bare node": [] };
const bridges: BridgeProcess[] = [];

const sessionPayload = (payload: Record<string, unknown>, sessionId: string) =>
  JSON.parse(JSON.stringify(payload).replaceAll("$SESSION", sessionId).replaceAll("$CWD", project)) as Record<string, unknown>;

/** Runs the installed hook command as Claude Code does: a shell, the payload on stdin; process start to exit is timed. */
function runHook(payload: Record<string, unknown>, bucket: string, command = hookCommand): Promise<{ code: number | null; stdout: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn("/bin/sh", ["-c", command], { cwd: project, env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("error", reject);
    child.once("exit", (code) => {
      clearTimeout(killer);
      const ms = performance.now() - started;
      timings[bucket]!.push(ms);
      resolve({ code, stdout, ms });
    });
    child.stdin.end(JSON.stringify(payload));
  });
}

const runDist = (args: string[]) => spawnSync(process.execPath, [DIST_BIN, ...args], { cwd: project, env, encoding: "utf8", timeout: 30_000 });

/** What the hub shows now, waiting (and delivering what waits, as a running bridge would) until `check` holds. */
async function expectHub(check: (state: ChannelState) => void, what: string): Promise<ChannelState> {
  let lastError: unknown = null;
  try {
    return await waitFor(
      async () => {
        const state = (await hub.snapshot(CHANNEL)).state;
        try {
          check(state);
          return state;
        } catch (error) {
          lastError = error;
          const target = findAgentTarget(project, env);
          if (target) await flushReports(target, { timeoutMs: 2000 });
          return undefined;
        }
      },
      10_000,
      () => what,
      100,
    );
  } catch {
    throw lastError;
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

beforeAll(async () => {
  buildCli();
  const tmp = mkdtempSync(join(tmpdir(), "tml-hooks-"));
  project = join(tmp, CHANNEL);
  mkdirSync(join(project, ".taskmaster/tasks"), { recursive: true });
  const task = (id: number, title: string) => ({ id, title, description: title, details: "", testStrategy: "", status: "pending", dependencies: [], priority: "medium", subtasks: [] });
  writeFileSync(join(project, ".taskmaster/tasks/tasks.json"), JSON.stringify({ master: { tasks: [task(1, "Cart page"), task(2, "Card payments"), task(3, "Receipts")], metadata: { created: "2026-11-01T10:00:00.000Z", updated: "2026-11-01T10:00:00.000Z", description: "Tasks for master context" } } }));
  writeFileSync(join(project, ".taskmaster/state.json"), JSON.stringify({ currentTag: "master" }));
  // The secret lives outside the project, as the hub's .dev.vars does; Claude Code's environment has none.
  mkdirSync(join(tmp, "hub"));
  const secretFile = join(tmp, "hub", ".dev.vars");
  writeFileSync(secretFile, `WEBHOOK_SECRET=${TEST_SECRETS.WEBHOOK_SECRET}\nDASHBOARD_TOKEN=${TEST_SECRETS.DASHBOARD_TOKEN}\n`);
  env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: tmp, TASKMASTER_SKIP_AUTO_UPDATE: "1" };

  server = await DevServer.start();
  hub = new HubClient(server.url);
  base = server.url;
  const install = runDist(["hook", "install", "claude-code", "--dir", project, "--hub", base, "--channel", CHANNEL, "--secret-file", secretFile]);
  expect(install.status, install.stderr).toBe(0);
  const settings = JSON.parse(readFileSync(join(project, ".claude/settings.local.json"), "utf8")) as { hooks: Record<string, { hooks: { command: string }[] }[]> };
  hookCommand = settings.hooks.PreToolUse![0]!.hooks[0]!.command;
  expect(hookCommand).toContain("bridge/dist/taskmaster-live.mjs");

  const bridge = new BridgeProcess(["bridge", "--dir", project, "--hub", base, "--channel", CHANNEL, "--once", "--heartbeat-seconds", "0", "--health-seconds", "0"], { ...process.env, WEBHOOK_SECRET: TEST_SECRETS.WEBHOOK_SECRET });
  bridges.push(bridge);
  expect(await bridge.exited, bridge.output).toBe(0);
}, 180_000);

afterAll(async () => {
  for (const bridge of bridges) await bridge.stop(3000);
  await server?.stop();
  const line = (bucket: string) => {
    const values = timings[bucket]!;
    return values.length === 0 ? `${bucket}: no calls` : `${bucket}: ${values.length} calls, p50 ${percentile(values, 50).toFixed(0)} ms, p99 ${percentile(values, 99).toFixed(0)} ms, max ${Math.max(...values).toFixed(0)} ms`;
  };
  console.log(`hook time per call, process start to exit (bridge/dist, via /bin/sh):\n  ${line("hub up")}\n  ${line("hub down")}\n  ${line("bare node")} (node -e 0, for scale)`);
  if (project) rmSync(join(project, ".."), { recursive: true, force: true });
});

/** The task ids whose `agents` should list the agent, given its expected state. */
const expectedTaskAgents = (agentId: string, expected: Step["expect"]) => ({
  "2": expected.status !== "offline" && expected.taskId === "2" ? [agentId] : [],
  "3": expected.status !== "offline" && expected.taskId === "3" ? [agentId] : [],
});

describe("taskmaster-live hook claude-code", () => {
  it("follows a Claude Code session step by step: status, the agent's task, the task's agents", async () => {
    const sessionId = "6e1f0c7a-3b2d-4c1e-9f00-aa11bb22cc33";
    const agentId = agentIdOf(sessionId);
    for (const { step, payload, expect: expected } of fixture.steps) {
      const run = await runHook(sessionPayload(payload, sessionId), "hub up");
      expect(run.code, step).toBe(0);
      expect(run.stdout, `${step}: Claude Code reads stdout`).toBe("");
      await expectHub((state) => {
        expect(state.agents[agentId], step).toMatchObject({ ...expected, name: `Claude Code · ${CHANNEL}` });
        const tasks = state.tasks.master!;
        const want = expectedTaskAgents(agentId, expected);
        expect({ "2": tasks["2"]!.agents ?? [], "3": tasks["3"]!.agents ?? [] }, step).toEqual(want);
      }, step);
    }
    for (let i = 0; i < 30; i++) {
      const run = await runHook(sessionPayload({ ...fixture.steps[7]!.payload }, "timing-session-1"), "hub up");
      expect(run.code).toBe(0);
      await runHook({}, "bare node", BARE_NODE);
    }
  });

  it("keeps several sessions side by side, each on its own task", async () => {
    const [start, , , , setStatus] = fixture.steps;
    const a = "aaaaaaaa-1111-4111-8111-111111111111";
    const b = "bbbbbbbb-2222-4222-8222-222222222222";
    for (const id of [a, b]) expect((await runHook(sessionPayload(start!.payload, id), "hub up")).code).toBe(0);
    const onTask = (id: string, task: string) => sessionPayload({ ...setStatus!.payload, tool_input: { id: task, status: "in-progress", projectRoot: "$CWD" } }, id);
    await runHook(onTask(a, "1"), "hub up");
    await runHook(onTask(b, "3"), "hub up");
    await expectHub((state) => {
      expect(state.agents[agentIdOf(a)]).toMatchObject({ status: "busy", taskId: "1" });
      expect(state.agents[agentIdOf(b)]).toMatchObject({ status: "busy", taskId: "3" });
      expect(state.tasks.master!["1"]!.agents).toEqual([agentIdOf(a)]);
      expect(state.tasks.master!["3"]!.agents).toEqual([agentIdOf(b)]);
    }, "two sessions on tasks 1 and 3");
    const end = fixture.steps.at(-1)!.payload;
    for (const id of [a, b]) await runHook(sessionPayload(end, id), "hub up");
    await expectHub((state) => expect([state.tasks.master!["1"]!.agents, state.tasks.master!["3"]!.agents]).toEqual([[], []]), "both sessions ended");
  });

  it("with the hub down, never blocks the agent, and a running bridge delivers every report in order once the hub is back", async () => {
    const sessionId = "dddddddd-4444-4444-8444-444444444444";
    const agentId = agentIdOf(sessionId);
    const { seq: headBefore, epoch, state: stateBefore } = await hub.snapshot(CHANNEL);
    await server.stop();
    for (const { step, payload } of fixture.steps) {
      const run = await runHook(sessionPayload(payload, sessionId), "hub down");
      await runHook({}, "bare node", BARE_NODE);
      expect(run.code, step).toBe(0);
      expect(run.stdout).toBe("");
    }
    const queued = readdirSync(join(project, ".taskmaster-live", CHANNEL, "reports")).filter((n) => n.endsWith(".json"));
    expect(queued).toHaveLength(fixture.steps.length);
    expect(readFileSync(join(project, ".taskmaster-live/hook.log"), "utf8")).toMatch(/queued/);

    await server.restart();
    const bridge = new BridgeProcess(["bridge", "--dir", project, "--hub", base, "--channel", CHANNEL, "--heartbeat-seconds", "0", "--health-seconds", "0"], { ...process.env, WEBHOOK_SECRET: TEST_SECRETS.WEBHOOK_SECRET });
    bridges.push(bridge);
    await waitFor(
      () => (readdirSync(join(project, ".taskmaster-live", CHANNEL, "reports")).some((n) => n.endsWith(".json")) ? undefined : true),
      20_000,
      () => `the bridge never delivered the queued reports:\n${bridge.output.slice(-2000)}`,
    );
    await bridge.stop(5000);

    // Replay the hub's log from before the outage: the agent went through every step, in order, none lost.
    const res = await hub.get(`${Paths.deltas(CHANNEL)}?since=${headBefore}&epoch=${epoch}&replay=always`, await hub.viewerTicket());
    const body = (await res.json()) as DeltasResponse;
    if (!body.recovered) throw new Error(`the hub could not replay from before the outage: HTTP ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
    const state = structuredClone(stateBefore);
    const seen: Step["expect"][] = [];
    for (const delta of body.deltas) {
      applyChanges(state, delta.changes);
      if (delta.changes.some((c) => c.kind === "agent" && c.key === agentId)) {
        const agent = state.agents[agentId]!;
        seen.push({ status: agent.status, taskId: agent.taskId, detail: agent.detail });
      }
    }
    expect(seen).toEqual(fixture.steps.map((s) => s.expect));
  });
});
