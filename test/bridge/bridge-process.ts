/**
 * Helpers for the bridge end-to-end tests: the real `taskmaster-live` bin
 * as a child process in its own process group, the real Task Master CLI,
 * and polling waits with timeouts.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../../dev/dev-server.ts";
import { TEST_SECRETS } from "../../dev/secrets.ts";

export const BIN = join(ROOT, "bridge/bin/taskmaster-live.mjs");
export const TASK_MASTER = join(ROOT, "node_modules/.bin/task-master");

/** Polls `probe` until it returns a value other than undefined; throws with `describe()` after `timeoutMs`. */
export async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number, describe: () => string, intervalMs = 150): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A temp HOME and environment in which the Task Master CLI stays offline and quiet. */
export function taskMasterEnv(): NodeJS.ProcessEnv {
  const home = mkdtempSync(join(tmpdir(), "tml-home-"));
  return {
    ...process.env,
    HOME: home, // init writes shell aliases and ~/.taskmaster: keep them out of the real home
    TASKMASTER_SKIP_AUTO_UPDATE: "1",
    NO_COLOR: "1",
    FORCE_COLOR: "0",
    NODE_COMPILE_CACHE: join(home, "node-compile-cache"),
    PATH: `${join(ROOT, "node_modules/.bin")}:${process.env.PATH ?? ""}`,
    WEBHOOK_SECRET: TEST_SECRETS.WEBHOOK_SECRET,
  };
}

/** Runs the real CLI in `cwd`; resolves with its run time, throws with its output on failure. */
export function taskMaster(cwd: string, env: NodeJS.ProcessEnv, ...args: string[]): Promise<number> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    execFile(TASK_MASTER, args, { cwd, env, timeout: 60_000, maxBuffer: 10 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`task-master ${args.join(" ")} failed: ${error.message}\n${stdout}\n${stderr}`));
      else resolve(Date.now() - started);
    });
  });
}

/** `task-master init` without prompts, git, aliases or rules, then telemetry off. */
export async function initTaskMasterProject(cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  await taskMaster(cwd, env, "init", "-y", "--name", "bridge-e2e", "--skip-install", "--no-git", "--no-aliases", "--no-git-tasks");
  const configFile = join(cwd, ".taskmaster/config.json");
  const config = JSON.parse(readFileSync(configFile, "utf8")) as { global: Record<string, unknown> };
  config.global.anonymousTelemetry = false;
  writeFileSync(configFile, JSON.stringify(config, null, 2));
}

/** The bridge bin, running. */
export class BridgeProcess {
  readonly child: ChildProcess;
  #output = "";
  readonly exited: Promise<number | null>;

  constructor(args: string[], env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    const collect = (chunk: Buffer) => {
      this.#output += chunk.toString();
    };
    this.child.stdout?.on("data", collect);
    this.child.stderr?.on("data", collect);
    this.exited = new Promise((resolve) => this.child.once("exit", (code) => resolve(code)));
  }

  get output(): string {
    return this.#output;
  }

  /** Resolves with the first match of `pattern` in the output (from `from` on). */
  async waitForOutput(pattern: RegExp, timeoutMs: number, from = 0): Promise<RegExpMatchArray> {
    return waitFor(() => this.#output.slice(from).match(pattern) ?? undefined, timeoutMs, () => `no ${pattern} in the bridge's output:\n${this.#output.slice(-3000)}`, 25);
  }

  /** Signals the whole process group. */
  signal(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.child.pid!, signal);
    } catch {
      // already gone
    }
  }

  /** SIGTERM (a clean stop), SIGKILL after `graceMs`; resolves with the exit code. */
  async stop(graceMs = 10_000): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    this.signal("SIGTERM");
    const timer = setTimeout(() => this.signal("SIGKILL"), graceMs);
    const code = await this.exited;
    clearTimeout(timer);
    this.signal("SIGKILL");
    return code;
  }
}

/** Runs the bin to completion (for one-shot commands); resolves with its exit code and output. */
export function runBin(args: string[], env: NodeJS.ProcessEnv, cwd = ROOT, timeoutMs = 30_000): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env, timeout: timeoutMs }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
      resolve({ code, output: stdout + stderr });
    });
  });
}
