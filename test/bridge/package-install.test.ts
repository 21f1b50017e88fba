/**
 * The CLI installs anywhere: `npm pack` (bridge/) makes a tarball of
 * compiled JavaScript, which installs into a temporary project far from this
 * repository's node_modules, offline (it has no dependencies), and works
 * there: --version, `bridge --once` against the real hub, and `hook install
 * claude-code` twice leaving the same settings file.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DevServer, ROOT } from "../../dev/dev-server.ts";
import { HubClient } from "../../dev/hub-client.ts";
import { TEST_SECRETS } from "../../dev/secrets.ts";
import { cliPrebuilt } from "./packaged-cli.ts";

const CHANNEL = "packaged-cli";
let tmp: string;
let app: string;
let server: DevServer;
let bin: string;
let env: NodeJS.ProcessEnv;

function run(command: string, args: string[], cwd: string, extra: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, env: { ...env, ...extra }, encoding: "utf8", timeout: 180_000 });
  if (result.error) throw result.error;
  return result;
}
const ok = (result: SpawnSyncReturns<string>) => {
  expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
  return result.stdout;
};

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "tml-pack-"));
  // Only Node's own folder on PATH, a fresh npm cache and home: nothing of this repository leaks in.
  env = { PATH: `${join(process.execPath, "..")}:/usr/bin:/bin`, HOME: tmp, npm_config_cache: join(tmp, "npm-cache"), npm_config_update_notifier: "false", TASKMASTER_SKIP_AUTO_UPDATE: "1" };
  const packed = ok(run("npm", ["pack", "--pack-destination", tmp, "--silent", ...(cliPrebuilt() ? ["--ignore-scripts"] : [])], join(ROOT, "bridge"))).trim().split("\n").at(-1)!;
  app = join(tmp, "my-app");
  mkdirSync(join(app, ".taskmaster/tasks"), { recursive: true });
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "my-app", private: true }));
  writeFileSync(join(app, ".taskmaster/tasks/tasks.json"), JSON.stringify({ master: { tasks: [{ id: 1, title: "Ship it", description: "", status: "pending", dependencies: [], priority: "high", subtasks: [] }], metadata: {} } }));
  ok(run("npm", ["install", "--offline", "--no-audit", "--no-fund", join(tmp, packed)], app));
  bin = join(app, "node_modules/.bin/taskmaster-live");
  server = await DevServer.start();
}, 300_000);

afterAll(async () => {
  await server?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("the packed CLI", () => {
  it("holds compiled JavaScript only, and no dependencies", () => {
    const installed = join(app, "node_modules/taskmaster-live");
    const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as Record<string, unknown>;
    expect(manifest.dependencies).toBeUndefined();
    const files = readdirSync(installed, { recursive: true }) as string[];
    expect(files.filter((f) => f.endsWith(".ts"))).toEqual([]);
    expect(files).toContain(join("dist", "taskmaster-live.mjs"));
  });

  it("prints its version", () => {
    const version = (JSON.parse(readFileSync(join(ROOT, "bridge/package.json"), "utf8")) as { version: string }).version;
    expect(ok(run(bin, ["--version"], app)).trim()).toBe(version);
  });

  it("bridges a project once against the real hub, configured by environment", async () => {
    ok(run(bin, ["bridge", "--once", "--heartbeat-seconds", "0", "--health-seconds", "0"], app, { TASKMASTER_LIVE_HUB: server.url, TASKMASTER_LIVE_CHANNEL: CHANNEL, WEBHOOK_SECRET: TEST_SECRETS.WEBHOOK_SECRET }));
    const state = (await new HubClient(server.url).snapshot(CHANNEL)).state;
    expect(state.tasks.master!["1"]).toMatchObject({ title: "Ship it", priority: "high" });
  });

  it("installs the Claude Code hooks idempotently", () => {
    const settings = join(app, ".claude/settings.local.json");
    ok(run(bin, ["hook", "install", "claude-code", "--hub", server.url, "--channel", CHANNEL], app));
    const first = readFileSync(settings, "utf8");
    ok(run(bin, ["hook", "install", "claude-code", "--hub", server.url, "--channel", CHANNEL], app));
    expect(readFileSync(settings, "utf8")).toBe(first);
    const hooks = (JSON.parse(first) as { hooks: Record<string, { hooks: { command: string }[] }[]> }).hooks;
    expect(hooks.PreToolUse![0]!.hooks[0]!.command).toMatch(/node_modules\/taskmaster-live\/dist\/taskmaster-live\.mjs hook claude-code$/);
    expect(JSON.parse(readFileSync(join(app, ".taskmaster-live/config.json"), "utf8"))).toEqual({ hub: server.url, channel: CHANNEL });
  });
});
