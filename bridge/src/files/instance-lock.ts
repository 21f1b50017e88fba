/**
 * One bridge per project and channel: two would share one outbox and
 * baseline. The lock is a file created exclusively, holding its owner (pid,
 * process start time, host name). A stale lock is replaced atomically (see
 * exclusive-file.ts), so of two bridges starting together exactly one runs.
 *
 * A lock is stale when its owner is known to be gone: on this host, its pid
 * is dead, or it is this process's pid but another start time (a container
 * restarted with the same pid). A lock whose pid cannot be asked (written on
 * another host sharing the folder) is stale once it has not been refreshed
 * for FOREIGN_LOCK_STALE_MS; its owner refreshes it every LOCK_REFRESH_MS.
 */
import { utimes } from "node:fs/promises";
import { hostname } from "node:os";
import { createExclusive, readExisting, replaceStale, type ExistingFile } from "./exclusive-file.ts";
import { removeFileDurably } from "./atomic-file.ts";

/** How often the owner touches its lock, so that another host can tell it is alive. */
export const LOCK_REFRESH_MS = 30_000;
/** A lock from another host that has not been refreshed for this long is stale. */
export const FOREIGN_LOCK_STALE_MS = 5 * 60_000;
/** A lock that cannot be read is being written (for microseconds) or was left half written by a crash: stale after this. */
export const UNREADABLE_LOCK_STALE_MS = 10_000;
/** Rounds of "create, or judge and replace" before giving up while others keep changing the lock. */
const ATTEMPTS = 5;

export interface LockOwner {
  readonly pid: number;
  readonly hostname: string;
  /** `performance.timeOrigin` of the owner's process; absent in locks written by older bridges. */
  readonly processStartedAtMs?: number;
}

export class InstanceLockedError extends Error {
  constructor(readonly owner: LockOwner | null, file: string) {
    const who = owner ? `pid ${owner.pid}${owner.hostname === hostname() ? "" : ` on ${owner.hostname}`}` : "starting right now";
    super(`another bridge (${who}) is already running for this project and channel (lock: ${file})`);
    this.name = "InstanceLockedError";
  }
}

const self: LockOwner = { pid: process.pid, hostname: hostname(), processStartedAtMs: performance.timeOrigin };

/** Takes the lock or throws InstanceLockedError. Resolves to the release function. */
export async function acquireInstanceLock(file: string): Promise<() => Promise<void>> {
  const body = JSON.stringify(self);
  let last: ExistingFile | null = null;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (await createExclusive(file, body)) return hold(file);
    last = await readExisting(file);
    if (!last) continue; // released in between
    if (!isStale(last)) throw new InstanceLockedError(parseOwner(last.body), file);
    if (await replaceStale(file, last, body, isStale)) return hold(file);
    await new Promise((resolve) => setTimeout(resolve, 5 * (attempt + 1))); // another bridge is replacing it: see who won
  }
  throw new InstanceLockedError(last ? parseOwner(last.body) : null, file);
}

/** Whether nobody holds this lock any more. */
export function isStale(lock: ExistingFile): boolean {
  const owner = parseOwner(lock.body);
  if (!owner) return lock.ageMs > UNREADABLE_LOCK_STALE_MS;
  if (owner.hostname !== self.hostname) return lock.ageMs > FOREIGN_LOCK_STALE_MS;
  if (owner.pid === self.pid) return owner.processStartedAtMs !== self.processStartedAtMs;
  return !alive(owner.pid);
}

/** The owner a lock names; older bridges wrote the bare pid (always on this host). */
export function parseOwner(body: string): LockOwner | null {
  if (/^\d+$/.test(body.trim())) return { pid: Number(body.trim()), hostname: self.hostname };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  if (typeof parsed !== "object" || parsed === null) return null;
  const { pid, hostname: host, processStartedAtMs } = parsed as Record<string, unknown>;
  if (typeof pid !== "number" || !Number.isSafeInteger(pid) || pid <= 0 || typeof host !== "string") return null;
  return { pid, hostname: host, ...(typeof processStartedAtMs === "number" ? { processStartedAtMs } : {}) };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function isMine(lock: ExistingFile | null): boolean {
  const owner = lock && parseOwner(lock.body);
  return owner?.pid === self.pid && owner.hostname === self.hostname && owner.processStartedAtMs === self.processStartedAtMs;
}

function hold(file: string): () => Promise<void> {
  const refresh = setInterval(() => {
    const now = new Date();
    // A refresh that fails only makes the lock look older to another host; the next one may succeed.
    utimes(file, now, now).catch(() => undefined);
  }, LOCK_REFRESH_MS);
  refresh.unref();
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    clearInterval(refresh);
    // Only our own: a lock replaced while we looked stale belongs to someone else now.
    if (isMine(await readExisting(file))) await removeFileDurably(file);
  };
}
