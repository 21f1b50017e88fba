/**
 * The real Worker in ONE Miniflare (workerd) process, for the load bench
 * and the chaos test.
 *
 * Why not DevServer: `wrangler dev` puts a proxy in front of workerd that
 * holds about 4 file descriptors per WebSocket, so ~4,500 sockets exhaust
 * `ulimit -n` 20000. Here clients talk to workerd directly. And Miniflare
 * can evict one Durable Object the way the platform does (`evict`), which
 * `wrangler dev` cannot be asked to do.
 *
 * The bundle is wrangler's own (`wrangler deploy --dry-run`) and the
 * Miniflare options are wrangler's (`unstable_getMiniflareWorkerOptions`),
 * both from wrangler.toml minus `[assets]`: neither needs the dashboard.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { convertV4MiniflareOptions, Miniflare, type MiniflareOptions } from "miniflare";
import { unstable_getMiniflareWorkerOptions, unstable_readConfig } from "wrangler";
import { withTimeout } from "./deadline.ts";
import { freePort, ROOT } from "./dev-server.ts";
import { findChildPid } from "./processes.ts";
import { TEST_SECRETS } from "./secrets.ts";

const BUILD_TIMEOUT_MS = 90_000;
const START_TIMEOUT_MS = 60_000;
const DISPOSE_TIMEOUT_MS = 15_000;
const EVICT_TIMEOUT_MS = 30_000;
const KEPT_ERROR_LINES = 10;

export interface MiniflareHubOptions {
  /** Extra vars (strings), e.g. MAX_CONNECTIONS_PER_CHANNEL. Secrets are TEST_SECRETS. */
  vars?: Record<string, string>;
  /** Keep Durable Object storage in this folder, so that a restart (also after kill()) finds it. Default: a temporary one. */
  persistTo?: string;
  /** A wrangler config (JSON) of another Worker to run the same way instead of the hub: the benchmark's `partyserver` room. */
  configPath?: string;
}

/** Counts of the Worker's JSON log lines by `event` (runtime lines by level), and the first error and runtime lines verbatim. */
export interface WorkerLogSummary {
  readonly byEvent: Map<string, number>;
  readonly errors: string[];
}

/** What happens to an evicted object's WebSockets: kept open by the runtime (hibernation), or closed. */
export type EvictedSockets = "hibernate" | "close";

const WORKER_NAME = "taskmaster-live";
const CHANNEL_CLASS = "ChannelObject";

export class MiniflareHub {
  readonly logs: WorkerLogSummary = { byEvent: new Map(), errors: [] };
  #mf: Miniflare | null = null;
  #options: MiniflareOptions | null = null;

  private constructor(
    readonly url: string,
    readonly buildDir: string,
  ) {}

  static async start(options: MiniflareHubOptions = {}): Promise<MiniflareHub> {
    const buildDir = mkdtempSync(join(tmpdir(), "tml-load-"));
    try {
      const configPath = options.configPath ?? writeConfigWithoutAssets(buildDir);
      const bundlePath = await bundleWithWrangler(configPath, join(buildDir, "dist"));
      const port = await freePort();
      const hub = new MiniflareHub(`http://127.0.0.1:${port}`, buildDir);
      const { workerOptions } = unstable_getMiniflareWorkerOptions(configPath);
      // No assets in this config. modulesRules only matter for unbundled modules, and the
      // dry-run output is one ES module; Miniflare 5 refuses to convert them.
      const { assets: _assets, modulesRules: _rules, ...worker } = workerOptions as typeof workerOptions & { assets?: unknown };
      hub.#options = convertV4MiniflareOptions({
        host: "127.0.0.1",
        port,
        handleStructuredLogs: ({ level, message }) => hub.#collectLog(level, message),
        resourcePersistencePath: options.persistTo ?? join(buildDir, "storage"),
        workers: [
          {
            ...worker,
            // Module paths resolve from here: the bundle's folder is inside it, wherever the config lives.
            rootPath: buildDir,
            name: WORKER_NAME,
            modules: true,
            scriptPath: bundlePath,
            bindings: { ...(worker.bindings as Record<string, unknown> | undefined), ...TEST_SECRETS, ...options.vars },
          },
        ],
      });
      try {
        await hub.#launch();
      } catch (error) {
        await hub.dispose();
        throw error;
      }
      return hub;
    } catch (error) {
      rmSync(buildDir, { recursive: true, force: true });
      throw error;
    }
  }

  async #launch(): Promise<void> {
    if (!this.#options) throw new Error("MiniflareHub has been disposed");
    const mf = new Miniflare(this.#options);
    this.#mf = mf;
    await withTimeout(mf.ready, START_TIMEOUT_MS, "Miniflare did not start");
  }

  get running(): boolean {
    return this.#mf !== null;
  }

  /** The workerd child this process spawned (found through /proc), or null where /proc is missing. */
  get workerdPid(): number | null {
    return findChildPid(process.pid, "workerd");
  }

  /**
   * Evicts a channel's object as the platform does when it is idle or moved: its memory goes, its storage stays.
   * False when the object was not running (nothing to evict). `className` "ViewerShard" with a shard's name
   * (`<channel>#<k>`) evicts a viewer shard.
   */
  async evict(channel: string, webSockets: EvictedSockets, className = CHANNEL_CLASS): Promise<boolean> {
    if (!this.#mf) throw new Error("evict: the runtime is not running");
    try {
      await withTimeout(this.#mf.unsafeEvictDurableObject(WORKER_NAME, className, { name: channel, webSockets }), EVICT_TIMEOUT_MS, "eviction did not finish");
      return true;
    } catch (error) {
      // workerd's words for an object with no live instance.
      if (error instanceof Error && error.message.includes("not currently running")) return false;
      throw error;
    }
  }

  /**
   * Kills workerd with SIGKILL, as a crash would: no close frames, no
   * flushes, open connections reset. Storage keeps what was committed;
   * restart() brings the Worker back on the same port and storage.
   */
  async kill(): Promise<void> {
    const mf = this.#mf;
    const pid = this.workerdPid;
    if (!mf || pid === null) throw new Error("kill: no workerd child to kill");
    this.#mf = null;
    process.kill(pid, "SIGKILL");
    await withTimeout(mf.dispose(), DISPOSE_TIMEOUT_MS, "Miniflare did not stop after its runtime was killed");
  }

  /** Starts the Worker again on the same port and storage (after kill(), or to restart a running one). */
  async restart(): Promise<void> {
    if (this.#mf) {
      const mf = this.#mf;
      this.#mf = null;
      await withTimeout(mf.dispose(), DISPOSE_TIMEOUT_MS, "Miniflare did not stop");
    }
    await this.#launch();
  }

  #collectLog(level: string, message: string): void {
    let event: string | null = null;
    try {
      const parsed = JSON.parse(message) as { event?: unknown };
      if (typeof parsed.event === "string") event = parsed.event;
    } catch {
      // not one of the Worker's JSON lines
    }
    const key = event ?? `runtime ${level}`;
    this.logs.byEvent.set(key, (this.logs.byEvent.get(key) ?? 0) + 1);
    // Runtime messages (workerd's own) are rare and say why a socket or the process failed: keep them.
    const keep = event === null || event === "error" || level === "error";
    if (keep && this.logs.errors.length < KEPT_ERROR_LINES) this.logs.errors.push(`[${level}] ${message.slice(0, 2000)}`);
  }

  async dispose(): Promise<void> {
    const mf = this.#mf;
    this.#mf = null;
    this.#options = null;
    try {
      if (mf) await withTimeout(mf.dispose(), DISPOSE_TIMEOUT_MS, "Miniflare did not stop");
    } finally {
      const pid = findChildPid(process.pid, "workerd");
      if (pid !== null) {
        try {
          process.kill(pid, "SIGKILL"); // only our own child, and only if dispose left it behind
        } catch {
          // already gone
        }
      }
      rmSync(this.buildDir, { recursive: true, force: true });
    }
  }
}

/** wrangler.toml as wrangler reads it, minus `[assets]`, with `main` made absolute. */
function writeConfigWithoutAssets(dir: string): string {
  const config = unstable_readConfig({ config: join(ROOT, "wrangler.toml") });
  const path = join(dir, "wrangler.json");
  writeFileSync(
    path,
    JSON.stringify({
      name: config.name,
      main: config.main,
      compatibility_date: config.compatibility_date,
      compatibility_flags: config.compatibility_flags,
      durable_objects: config.durable_objects,
      migrations: config.migrations,
      vars: config.vars,
    }),
  );
  return path;
}

async function bundleWithWrangler(configPath: string, outDir: string): Promise<string> {
  const args = ["deploy", "--dry-run", "--outdir", outDir, "--config", configPath];
  const child = spawn(join(ROOT, "node_modules/.bin/wrangler"), args, {
    cwd: ROOT,
    detached: true, // own process group, so a timeout kills wrangler and esbuild together
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", WRANGLER_LOG: "warn", CI: "true", NO_COLOR: "1" },
  });
  let output = "";
  child.stdout?.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (output += c.toString()));
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    }, BUILD_TIMEOUT_MS);
    child.once("exit", (c) => (clearTimeout(timer), resolve(c)));
  });
  const bundle = join(outDir, "index.js");
  if (code !== 0 || !existsSync(bundle)) throw new Error(`wrangler deploy --dry-run failed (exit ${code}):\n${output.slice(-4000)}`);
  return bundle;
}
