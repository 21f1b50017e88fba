/**
 * Runs the real Worker under `wrangler dev` in its own process group, for
 * end-to-end, browser and bridge tests, benches and screenshots. Always stop() what you start; every
 * wait has a timeout.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { TEST_SECRETS } from "./secrets.ts";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface DevServerOptions {
  port?: number;
  /** Keep storage here across restarts (default: a fresh temp folder). */
  persistTo?: string;
  vars?: Record<string, string>;
  startTimeoutMs?: number;
}

export class DevServer {
  #child: ChildProcess | null = null;
  #output = "";
  readonly port: number;
  readonly persistTo: string;
  readonly vars: Record<string, string>;

  private constructor(port: number, persistTo: string, vars: Record<string, string>) {
    this.port = port;
    this.persistTo = persistTo;
    this.vars = vars;
  }

  static async start(options: DevServerOptions = {}): Promise<DevServer> {
    const port = options.port ?? (await freePort());
    const persistTo = options.persistTo ?? mkdtempSync(join(tmpdir(), "tml-dev-"));
    const server = new DevServer(port, persistTo, { ...TEST_SECRETS, ...options.vars });
    await server.restart(options.startTimeoutMs);
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The last lines the server printed, for failure messages. */
  get output(): string {
    return this.#output.slice(-4000);
  }

  get running(): boolean {
    return this.#child !== null;
  }

  /** Starts (again) on the same port and storage. */
  async restart(timeoutMs = 60_000): Promise<void> {
    if (this.#child) await this.stop();
    const inspectorPort = await freePort();
    const args = ["dev", "--ip", "127.0.0.1", "--port", String(this.port), "--inspector-port", String(inspectorPort), "--persist-to", this.persistTo, "--log-level", process.env.DEV_LOG_LEVEL ?? "warn"];
    for (const [k, v] of Object.entries(this.vars)) args.push("--var", `${k}:${v}`);
    const child = spawn(join(ROOT, "node_modules/.bin/wrangler"), args, {
      cwd: ROOT,
      detached: true, // own process group: stop() kills wrangler and workerd together
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", CI: "true", NO_COLOR: "1" },
    });
    this.#child = child;
    const collect = (chunk: Buffer) => {
      this.#output = (this.#output + chunk.toString()).slice(-20_000);
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    const deadlineMs = Date.now() + timeoutMs;
    while (Date.now() < deadlineMs) {
      if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}):\n${this.output}`);
      try {
        const res = await fetch(`${this.url}/api/health`, { signal: AbortSignal.timeout(1000) });
        if (res.ok) return;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    await this.stop();
    throw new Error(`wrangler dev did not answer /api/health within ${timeoutMs} ms:\n${this.output}`);
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#child = null;
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once("exit", () => resolve());
    });
    const kill = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // already gone
      }
    };
    kill("SIGTERM");
    const timer = setTimeout(() => kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
    // workerd may outlive wrangler by a moment; the group kill reaches it too.
    kill("SIGKILL");
  }
}
