/**
 * The reports agents could not post at once: a folder shared by every hook
 * call and the running bridge of a project and channel,
 * `<project>/.taskmaster-live/<channel>/reports/`.
 *
 * Sharing without a server:
 * - an append is one new file, written atomically (temp file, rename), named
 *   `<ms, 15 digits>-<pid>-<random>.json`, so the names sort in the order the
 *   reports were made and two writers never pick the same name;
 * - one drainer at a time: `reports.lock`, created exclusively; it is stale
 *   after LOCK_STALE_MS (a hook killed mid-post), and replaced atomically;
 * - a drainer posts the oldest files in one batch (the hub applies a batch in
 *   order) and deletes them only after the hub's 2xx; a crash in between
 *   resends them, and the hub drops them as duplicates by id;
 * - whoever holds the lock and finds the folder empty may post a new report
 *   directly: nothing older can overtake it, so reports arrive in order.
 * The hook never takes the bridge's instance lock, nor the bridge the hook's.
 */
import { randomBytes } from "node:crypto";
import { open, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { MAX_EVENTS_PER_BATCH, type HubEvent, type WebhookAccepted } from "../../../protocol/index.ts";
import type { PostOutcome } from "../delivery/hub-poster.ts";
import { validateEvent } from "../delivery/validate.ts";
import { makeFolderDurably, removeFileDurably, writeFileAtomic } from "../files/atomic-file.ts";
import { readExisting, replaceStale } from "../files/exclusive-file.ts";
import type { DeadLetters } from "../outbox/outbox.ts";

const REPORT_NAME = /^\d{15}-\d+-[0-9a-f]{8}\.json$/;
/** A drainer holds the lock for one post (a hook's deadline is well under a second): older means its holder died. */
export const LOCK_STALE_MS = 10_000;

export type Post = (events: readonly HubEvent[], signal?: AbortSignal) => Promise<PostOutcome>;

export interface DrainResult {
  /** Reports the hub acknowledged. */
  readonly delivered: number;
  /** Reports still waiting. */
  readonly left: number;
  /** Why the drain stopped early (hub down, refused signature), if it did. */
  readonly stoppedBy: PostOutcome | null;
  readonly lastAccepted: WebhookAccepted | null;
}

export class ReportQueue {
  readonly folder: string;
  readonly #lockFile: string;
  readonly #deadLetters: DeadLetters;

  /** `stateDir` is `<project>/.taskmaster-live/<channel>`. */
  constructor(stateDir: string, deadLetters: DeadLetters) {
    this.folder = join(stateDir, "reports");
    this.#lockFile = join(stateDir, "reports.lock");
    this.#deadLetters = deadLetters;
  }

  /** Queued report files, oldest first. */
  async names(): Promise<string[]> {
    try {
      return (await readdir(this.folder)).filter((n) => REPORT_NAME.test(n)).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
  }

  async append(event: HubEvent, nowMs = Date.now()): Promise<void> {
    await makeFolderDurably(this.folder);
    const name = `${String(nowMs).padStart(15, "0")}-${process.pid}-${randomBytes(4).toString("hex")}.json`;
    await writeFileAtomic(join(this.folder, name), JSON.stringify(event));
  }

  /**
   * Runs `work` as the only drainer; resolves with null (without running it)
   * if another process drains now.
   */
  async exclusively<T>(work: () => Promise<T>): Promise<T | null> {
    if (!(await this.#lock())) return null;
    try {
      return await work();
    } finally {
      await rm(this.#lockFile, { force: true });
    }
  }

  async #lock(): Promise<boolean> {
    await makeFolderDurably(this.folder);
    const body = JSON.stringify({ pid: process.pid });
    if (await createLockFile(this.#lockFile, body)) return true;
    const existing = await readExisting(this.#lockFile);
    if (!existing) return createLockFile(this.#lockFile, body);
    const isStale = (lock: { ageMs: number }) => lock.ageMs > LOCK_STALE_MS;
    return isStale(existing) && replaceStale(this.#lockFile, existing, body, isStale);
  }

  /**
   * Posts the queued reports in order until none is left, the hub cannot
   * take them now, or `signal` aborts. Call inside `exclusively`.
   */
  async drain(post: Post, signal?: AbortSignal): Promise<DrainResult> {
    let delivered = 0;
    let lastAccepted: WebhookAccepted | null = null;
    for (;;) {
      const names = await this.names();
      if (names.length === 0 || signal?.aborted) return { delivered, left: names.length, stoppedBy: null, lastAccepted };
      const batch = await this.#read(names.slice(0, MAX_EVENTS_PER_BATCH));
      if (batch.length === 0) continue;
      const outcome = await post(batch.map((b) => b.event), signal);
      if (outcome.kind === "accepted") {
        for (const { name } of batch) await removeFileDurably(join(this.folder, name));
        delivered += batch.length;
        lastAccepted = outcome.result;
      } else if (outcome.kind === "rejected") {
        // Never accepted, never retried: to the dead letters, so the reports behind them can go.
        const bad = outcome.badIndexes ?? batch.map((_, i) => i);
        for (const i of bad) {
          const item = batch[i];
          if (!item) continue;
          await this.#deadLetters.add(item.event, `the hub refused the report: ${outcome.status} ${outcome.code}: ${outcome.message}`);
          await removeFileDurably(join(this.folder, item.name));
        }
      } else {
        return { delivered, left: names.length, stoppedBy: outcome, lastAccepted };
      }
    }
  }

  /** The reports in these files; a file that is not a valid event goes to the dead letters. */
  async #read(names: string[]): Promise<{ name: string; event: HubEvent }[]> {
    const out: { name: string; event: HubEvent }[] = [];
    for (const name of names) {
      const file = join(this.folder, name);
      let item: unknown;
      try {
        item = JSON.parse(await readFile(file, "utf8"));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") continue; // another drainer's, before our lock
        item = null;
      }
      const checked = validateEvent(item);
      if (checked.ok) out.push({ name, event: checked.event });
      else {
        await this.#deadLetters.add(item, `unreadable report ${name}: ${checked.message}`);
        await removeFileDurably(file);
      }
    }
    return out;
  }
}

/**
 * The drain lock needs no flush to disk: after a power loss nobody holds it,
 * and a lock that survived is judged stale by its age. Skipping the flushes
 * keeps a hook call quick.
 */
async function createLockFile(file: string, body: string): Promise<boolean> {
  try {
    const handle = await open(file, "wx");
    await handle.writeFile(body, "utf8").finally(() => handle.close());
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

/** How often a running bridge delivers what agents queued. */
export const REPORT_DRAIN_INTERVAL_MS = 1000;
const BRIDGE_DRAIN_TIMEOUT_MS = 5000;

/** The bridge's side of the sharing: drain the queue every second while it runs, once more when it stops. */
export function startReportDrain(queue: ReportQueue, post: Post, log: { warn(message: string): void }, intervalMs = REPORT_DRAIN_INTERVAL_MS): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  let busy = false;
  const drainOnce = () => {
    if (busy) return running;
    busy = true;
    running = queue
      .exclusively(() => queue.drain(post, AbortSignal.timeout(BRIDGE_DRAIN_TIMEOUT_MS)))
      .catch((error: Error) => log.warn(`agent reports: ${error.message}`))
      .finally(() => {
        busy = false;
      });
    return running;
  };
  const timer = setInterval(drainOnce, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
      await drainOnce();
    },
  };
}
