import { fork, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { readExisting, replaceStale } from "../../../bridge/src/files/exclusive-file.ts";
import {
  acquireInstanceLock,
  FOREIGN_LOCK_STALE_MS,
  InstanceLockedError,
  LOCK_REFRESH_MS,
  UNREADABLE_LOCK_STALE_MS,
} from "../../../bridge/src/files/instance-lock.ts";

const dirs: string[] = [];
afterEach(() => {
  vi.useRealTimers();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function lockFile(): string {
  const d = mkdtempSync(join(tmpdir(), "tml-lock-"));
  dirs.push(d);
  return join(d, "bridge.lock");
}
/** A pid that was a real process a moment ago and is gone now. */
const deadPid = (() => {
  const { pid } = spawnSync(process.execPath, ["-e", ""]);
  if (!pid) throw new Error("could not start a process to find a dead pid");
  return pid;
})();
const lockBody = (owner: Record<string, unknown>) => JSON.stringify({ hostname: hostname(), ...owner });
function age(file: string, ms: number): void {
  const then = new Date(Date.now() - ms);
  utimesSync(file, then, then);
}
const attempt = (file: string) => acquireInstanceLock(file).then((release) => ({ won: true as const, release }), (error: unknown) => ({ won: false as const, error }));

describe("acquireInstanceLock", () => {
  it("holds pid, process start and host; refuses a second taker; frees the lock on release", async () => {
    const file = lockFile();
    const release = await acquireInstanceLock(file);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({ pid: process.pid, hostname: hostname(), processStartedAtMs: performance.timeOrigin });
    const refused = await attempt(file);
    expect(refused.won).toBe(false);
    expect(!refused.won && refused.error).toBeInstanceOf(InstanceLockedError);
    expect(!refused.won && (refused.error as Error).message).toContain(`another bridge (pid ${process.pid})`);
    await release();
    expect(existsSync(file)).toBe(false);
    await (await acquireInstanceLock(file))();
  });

  it("refuses a lock whose owner is alive, a recent lock from another host and a lock still being written", async () => {
    const file = lockFile();
    writeFileSync(file, lockBody({ pid: process.ppid }));
    await expect(acquireInstanceLock(file)).rejects.toThrow(`another bridge (pid ${process.ppid})`);
    writeFileSync(file, JSON.stringify({ pid: deadPid, hostname: "elsewhere" }));
    age(file, FOREIGN_LOCK_STALE_MS - 10_000);
    await expect(acquireInstanceLock(file)).rejects.toThrow(`another bridge (pid ${deadPid} on elsewhere)`);
    writeFileSync(file, "");
    await expect(acquireInstanceLock(file)).rejects.toThrow("another bridge (starting right now)");
    expect(readdirSync(join(file, ".."))).toEqual(["bridge.lock"]);
  });

  it.each([
    ["its pid is dead on this host", () => lockBody({ pid: deadPid, processStartedAtMs: 1 }), 0],
    ["an older bridge wrote a bare pid that is dead", () => String(deadPid), 0],
    ["it is this process's pid from another start (a restarted container)", () => lockBody({ pid: process.pid, processStartedAtMs: performance.timeOrigin - 5000 }), 0],
    ["another host stopped refreshing it", () => JSON.stringify({ pid: process.ppid, hostname: "elsewhere" }), FOREIGN_LOCK_STALE_MS + 10_000],
    ["it was left half written", () => "{", UNREADABLE_LOCK_STALE_MS + 1000],
  ])("takes over a lock when %s", async (_why, body, ageMs) => {
    const file = lockFile();
    writeFileSync(file, body());
    age(file, ageMs);
    const release = await acquireInstanceLock(file);
    expect(JSON.parse(readFileSync(file, "utf8")).pid).toBe(process.pid);
    expect(readdirSync(join(file, ".."))).toEqual(["bridge.lock"]);
    await release();
  });

  it("takes over when an earlier takeover died half way, leaving its claim", async () => {
    const file = lockFile();
    writeFileSync(file, lockBody({ pid: deadPid }));
    const stale = await readExisting(file);
    writeFileSync(`${file}.takeover-${stale?.key}`, lockBody({ pid: deadPid }));
    const release = await acquireInstanceLock(file);
    expect(readdirSync(join(file, ".."))).toEqual(["bridge.lock"]);
    await release();
  });

  it("does not let a slow taker that judged the old lock stale replace the lock a faster one has just taken", async () => {
    const file = lockFile();
    writeFileSync(file, lockBody({ pid: deadPid }));
    const judgedStale = await readExisting(file);
    const release = await acquireInstanceLock(file);
    const winner = readFileSync(file, "utf8");
    expect(await replaceStale(file, judgedStale!, lockBody({ pid: process.ppid }), () => true)).toBe(false);
    expect(readFileSync(file, "utf8")).toBe(winner);
    expect(readdirSync(join(file, ".."))).toEqual(["bridge.lock"]);
    await release();
  });

  it("leaves a lock it no longer owns in place on release", async () => {
    const file = lockFile();
    const release = await acquireInstanceLock(file);
    writeFileSync(file, lockBody({ pid: process.ppid }));
    await release();
    expect(readFileSync(file, "utf8")).toBe(lockBody({ pid: process.ppid }));
  });

  it("refreshes its lock so that another host sees it alive", async () => {
    const file = lockFile();
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const release = await acquireInstanceLock(file);
    age(file, FOREIGN_LOCK_STALE_MS * 2);
    vi.advanceTimersByTime(LOCK_REFRESH_MS);
    await vi.waitFor(() => expect(Date.now() - statSync(file).mtimeMs).toBeLessThan(60_000), { timeout: 2000 });
    await release();
  });

  it("lets exactly one of many simultaneous takers win, over a free lock and over a stale one, round after round", async () => {
    const file = lockFile();
    for (let round = 0; round < 60; round++) {
      if (round % 2 === 1) writeFileSync(file, lockBody({ pid: deadPid }));
      const results = await Promise.all(Array.from({ length: 16 }, () => attempt(file)));
      const winners = results.filter((r) => r.won);
      expect(winners, `round ${round}`).toHaveLength(1);
      for (const r of results) if (!r.won) expect(r.error).toBeInstanceOf(InstanceLockedError);
      expect(readdirSync(join(file, ".."))).toEqual(["bridge.lock"]);
      await winners[0]?.release();
    }
  });
});

describe("acquireInstanceLock across processes", () => {
  const racers: ChildProcess[] = [];
  beforeAll(async () => {
    for (let i = 0; i < 3; i++) {
      const child = fork(join(import.meta.dirname, "lock-racer.ts"), { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
      racers.push(child);
    }
    await Promise.all(racers.map((child) => once(child, "message")));
  }, 60_000);
  afterAll(() => {
    for (const child of racers) child.kill();
  });
  const ask = async (child: ChildProcess, command: object): Promise<{ won?: boolean; error?: string }> => {
    const reply = once(child, "message");
    child.send(command);
    return (await reply)[0] as { won?: boolean; error?: string };
  };

  it("lets exactly one process win a stale lock, round after round", async () => {
    const file = lockFile();
    for (let round = 0; round < 25; round++) {
      writeFileSync(file, lockBody({ pid: deadPid }));
      const [children, here] = await Promise.all([
        Promise.all(racers.map((child) => ask(child, { kind: "acquire", file }))),
        Promise.all([attempt(file), attempt(file)]),
      ]);
      const winners = children.filter((r) => r.won).length + here.filter((r) => r.won).length;
      expect(winners, `round ${round}`).toBe(1);
      for (const r of children) if (!r.won) expect(r.error).toBe("InstanceLockedError");
      expect(readdirSync(join(file, ".."))).toEqual(["bridge.lock"]);
      await Promise.all(racers.map((child) => ask(child, { kind: "release" })));
      for (const r of here) if (r.won) await r.release();
      expect(existsSync(file)).toBe(false);
    }
  }, 120_000);
});
