/**
 * `npm run bench:hook`: the Claude Code hook's time per call, process start to
 * exit, as Claude Code runs it (a shell, one payload on stdin), from the packed
 * CLI (bridge/dist), with the hub up and with it down; a bare `node -e 0` for
 * scale. Prints p50/p99/max and compares them with issue 11's bounds (p99 under
 * 150 ms with the hub up, never over 1 s with it down); exits 1 when a bound is
 * missed. A timing, so it lives here and not in `npm test`.
 *
 * Options: --calls <n> (hub up, default 100), --down-calls <n> (default 30).
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { DevServer, ROOT } from "../dev/dev-server.ts";
import { TEST_SECRETS } from "../dev/secrets.ts";
import { percentile } from "./support/percentiles.ts";

const HUB_UP_P99_BOUND_MS = 150;
const HUB_DOWN_MAX_BOUND_MS = 1000;
const CHANNEL = "bench-hook";

const { values } = parseArgs({ options: { calls: { type: "string", default: "100" }, "down-calls": { type: "string", default: "30" } } });
const upCalls = Number(values.calls);
const downCalls = Number(values["down-calls"]);

function run(command: string, cwd: string, env: NodeJS.ProcessEnv, stdin: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn("/bin/sh", ["-c", command], { cwd, env, stdio: ["pipe", "ignore", "ignore"] });
    const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("error", reject);
    child.once("exit", (code) => {
      clearTimeout(killer);
      if (code !== 0) reject(new Error(`${command} exited ${code}`));
      else resolve(performance.now() - started);
    });
    child.stdin.end(stdin);
  });
}

function line(name: string, ms: readonly number[]): string {
  return `  ${name.padEnd(10)} ${String(ms.length).padStart(4)} calls  p50 ${percentile(ms, 50).toFixed(0).padStart(4)} ms  p99 ${percentile(ms, 99).toFixed(0).padStart(4)} ms  max ${Math.max(...ms).toFixed(0).padStart(4)} ms`;
}

const build = spawnSync(process.execPath, [join(ROOT, "bridge/build.mjs")], { encoding: "utf8", timeout: 120_000 });
if (build.status !== 0) throw new Error(`bridge/build.mjs failed:\n${build.stdout}\n${build.stderr}`);

const tmp = mkdtempSync(join(tmpdir(), "tml-bench-hook-"));
const project = join(tmp, CHANNEL);
mkdirSync(join(project, ".taskmaster/tasks"), { recursive: true });
writeFileSync(join(project, ".taskmaster/tasks/tasks.json"), JSON.stringify({ master: { tasks: [{ id: 1, title: "Bench", status: "pending", dependencies: [], priority: "medium", subtasks: [] }] } }));
mkdirSync(join(tmp, "hub"));
const secretFile = join(tmp, "hub", ".dev.vars");
writeFileSync(secretFile, `WEBHOOK_SECRET=${TEST_SECRETS.WEBHOOK_SECRET}\n`);
const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: tmp, TASKMASTER_SKIP_AUTO_UPDATE: "1" };
const payload = (i: number) =>
  JSON.stringify({ session_id: "bench-session-0001", transcript_path: join(tmp, "t.jsonl"), cwd: project, hook_event_name: "PreToolUse", tool_name: "Bash", tool_input: { command: `echo ${i}` } });

const server = await DevServer.start();
try {
  const install = spawnSync(process.execPath, [join(ROOT, "bridge/dist/taskmaster-live.mjs"), "hook", "install", "claude-code", "--dir", project, "--hub", server.url, "--channel", CHANNEL, "--secret-file", secretFile], { cwd: project, env, encoding: "utf8" });
  if (install.status !== 0) throw new Error(`hook install failed: ${install.stderr}`);
  const settings = JSON.parse(readFileSync(join(project, ".claude/settings.local.json"), "utf8")) as { hooks: Record<string, { hooks: { command: string }[] }[]> };
  const hook = settings.hooks.PreToolUse![0]!.hooks[0]!.command;

  const up: number[] = [];
  const bare: number[] = [];
  await run(hook, project, env, payload(-1)); // warm the file cache and the hub's isolate
  for (let i = 0; i < upCalls; i++) {
    up.push(await run(hook, project, env, payload(i)));
    bare.push(await run(`${process.execPath} -e 0`, project, env, ""));
  }
  await server.stop();
  const down: number[] = [];
  for (let i = 0; i < downCalls; i++) down.push(await run(hook, project, env, payload(upCalls + i)));

  console.log("Claude Code hook, time per call (process start to exit, via /bin/sh, packed CLI):");
  console.log(line("hub up", up));
  console.log(line("hub down", down));
  console.log(line("bare node", bare));
  const upOk = percentile(up, 99) < HUB_UP_P99_BOUND_MS;
  const downOk = Math.max(...down) < HUB_DOWN_MAX_BOUND_MS;
  console.log(`  hub up p99 < ${HUB_UP_P99_BOUND_MS} ms: ${upOk ? "yes" : "NO"}; hub down never over ${HUB_DOWN_MAX_BOUND_MS} ms: ${downOk ? "yes" : "NO"}`);
  process.exitCode = upOk && downOk ? 0 : 1;
} finally {
  await server.stop();
  rmSync(tmp, { recursive: true, force: true });
}
