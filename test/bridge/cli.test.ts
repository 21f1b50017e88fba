/**
 * The `taskmaster-live` bin's other promises, against the real hub: help on
 * every command, plain errors (no project, no secret, bad secret, a second
 * bridge, hub unreachable), the `agent` command and its function, and the
 * demo feed riding out a hub restart.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reportAgentStatus } from "../../bridge/src/index.ts";
import { DevServer, freePort, ROOT } from "../../dev/dev-server.ts";
import { HubClient } from "../../dev/hub-client.ts";
import { TEST_SECRETS } from "../../dev/secrets.ts";
import { BridgeProcess, runBin, taskMasterEnv, waitFor } from "./bridge-process.ts";

let server: DevServer;
let hub: HubClient;
let env: NodeJS.ProcessEnv;
const running: BridgeProcess[] = [];
const started = Date.now();

/** A folder that looks like a Task Master project (the CLI is exercised in the other file). */
const tempDirs: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

function fakeLayoutProject(name: string): string {
  const root = join(tempDir("tml-cli-"), name);
  mkdirSync(join(root, ".taskmaster/tasks"), { recursive: true });
  return root;
}

beforeAll(async () => {
  env = taskMasterEnv();
  server = await DevServer.start();
  hub = new HubClient(server.url);
});

afterAll(async () => {
  for (const p of running) await p.stop(3000);
  await server?.stop();
  for (const dir of [...tempDirs, env?.HOME]) if (dir) rmSync(dir, { recursive: true, force: true });
  console.log(`bridge cli tests: ${Date.now() - started} ms`);
});

describe("taskmaster-live", () => {
  it("has --help on every command", async () => {
    for (const command of ["bridge", "agent", "demo"]) {
      const { code, output } = await runBin([command, "--help"], env);
      expect(code, output).toBe(0);
      expect(output).toMatch(new RegExp(`^usage: taskmaster-live ${command}`));
    }
    const top = await runBin(["--help"], env);
    expect(top.code).toBe(0);
    expect(top.output).toMatch(/bridge[\s\S]*agent[\s\S]*demo/);
    const bad = await runBin(["bridge", "--frobnicate"], env);
    expect(bad.code).toBe(2);
    expect(bad.output).toMatch(/Unknown option '--frobnicate'[\s\S]*usage: taskmaster-live bridge/);
  });

  it("says plainly when there is no Task Master project or no secret", async () => {
    const empty = tempDir("tml-empty-");
    const none = await runBin(["bridge", "--dir", empty, "--hub", server.url], env);
    expect(none.code).toBe(1);
    expect(none.output).toMatch(/no Task Master project found in .*tml-empty-.*task-master init/);

    const project = fakeLayoutProject("no-secret");
    const noSecret = await runBin(["bridge", "--dir", project, "--hub", server.url], { ...env, WEBHOOK_SECRET: "" });
    expect(noSecret.code).toBe(1);
    expect(noSecret.output).toMatch(/no sender key: set TASKMASTER_LIVE_KEY .* or WEBHOOK_SECRET/);
  });

  it("states a bad secret plainly, keeps the events, and refuses a second bridge on the same project", async () => {
    const project = fakeLayoutProject("Bad Secret");
    const bridge = new BridgeProcess(["bridge", "--dir", project, "--hub", server.url, "--secret", "not-the-secret"], env);
    running.push(bridge);
    await bridge.waitForOutput(/the hub rejected the signature: check the channel's key .*kept in the outbox/, 20_000);
    // The channel defaults to the folder name, made channel-safe.
    const outbox = join(project, ".taskmaster-live/bad-secret/outbox");
    expect(readdirSync(outbox).length).toBeGreaterThan(0);

    const second = await runBin(["bridge", "--dir", project, "--hub", server.url], env);
    expect(second.code).toBe(1);
    expect(second.output).toMatch(/another bridge \(pid \d+\) is already running/);
    expect(await bridge.stop()).toBe(0);
    expect(readdirSync(outbox).length).toBeGreaterThan(0);
  });

  it("sends a project once and exits with --once", async () => {
    const project = fakeLayoutProject("once-project");
    copyFileSync(join(ROOT, "test/fixtures/taskmaster/02-add-subtask.tasks.json"), join(project, ".taskmaster/tasks/tasks.json"));
    const { code, output } = await runBin(["bridge", "--once", "--dir", project, "--hub", server.url, "--agent-id", "once-bridge"], env);
    expect(code, output).toBe(0);
    const { state } = await hub.snapshot("once-project");
    expect(Object.keys(state.tasks.master ?? {})).toEqual(["1", "2", "3"]);
    expect(state.tasks.master?.["2"]?.subtasks.map((s) => s.id)).toEqual(["2.1", "2.2"]);
    expect(state.agents["once-bridge"]?.status).toBe("offline");
    expect(readdirSync(join(project, ".taskmaster-live/once-project/outbox"))).toEqual([]);
  });

  it("reports an agent's status with the agent command and the importable function", async () => {
    const { code, output } = await runBin(["agent", "--id", "coder-1", "--status", "busy", "--task", "5.2", "--detail", "writing tests", "--channel", "cli-agents", "--hub", server.url], env);
    expect(code, output).toBe(0);
    expect(output).toMatch(/agent coder-1 is busy on task 5.2 \(channel cli-agents\): reported/);
    let state = (await hub.snapshot("cli-agents")).state;
    expect(state.agents["coder-1"]).toMatchObject({ status: "busy", taskId: "5.2", detail: "writing tests" });

    const result = await reportAgentStatus({ channel: "cli-agents", agentId: "coder-1", status: "idle", hub: server.url, secret: TEST_SECRETS.WEBHOOK_SECRET });
    expect(result.accepted).toBe(1);
    state = (await hub.snapshot("cli-agents")).state;
    expect(state.agents["coder-1"]).toMatchObject({ status: "idle", taskId: null });

    const bad = await runBin(["agent", "--id", "coder-1", "--status", "idle", "--channel", "cli-agents", "--hub", server.url, "--secret", "wrong"], env);
    expect(bad.code).toBe(1);
    expect(bad.output).toMatch(/the hub rejected the signature: check the channel's key/);

    const nowhere = `http://127.0.0.1:${await freePort()}`;
    const down = await runBin(["agent", "--id", "coder-1", "--status", "idle", "--channel", "cli-agents", "--hub", nowhere], env);
    expect(down.code).toBe(1);
    expect(down.output).toMatch(/the hub http:\/\/127.0.0.1:\d+ is unreachable \(.*ECONNREFUSED/);
  });

  it("runs a live demo project that rides out a hub restart", async () => {
    const demo = new BridgeProcess(["demo", "--hub", server.url, "--channel", "demo-e2e", "--tick-seconds", "0.2", "--health-seconds", "0.3"], env);
    running.push(demo);
    const t0 = Date.now();
    const busy = await waitFor(
      async () => {
        const { state } = await hub.snapshot("demo-e2e");
        const agents = Object.values(state.agents);
        // The demo moves fast (0.2 s ticks): wait for a moment that shows all of it at once.
        const working = Object.values(state.tasks.master ?? {}).some((t) => t.status === "in-progress");
        return agents.length === 3 && agents.some((a) => a.status === "busy") && working && (state.health["build-runner-1"]?.length ?? 0) >= 2 ? state : undefined;
      },
      20_000,
      () => `the demo never showed busy agents, a task in progress and health:\n${demo.output}`,
    );
    console.log(`demo: busy agents and health on the dashboard after ${Date.now() - t0} ms`);
    expect(Object.keys(busy.tasks.master ?? {})).toHaveLength(8);
    expect(busy.meta.name).toBe("Demo: checkout service");

    await server.restart();
    const seqAfterRestart = (await hub.snapshot("demo-e2e")).seq;
    await waitFor(
      async () => ((await hub.snapshot("demo-e2e")).seq > seqAfterRestart + 5 ? true : undefined),
      30_000,
      () => `the demo did not resume after the hub restarted:\n${demo.output.slice(-2000)}`,
    );
    expect(await demo.stop()).toBe(0);
  });
});
