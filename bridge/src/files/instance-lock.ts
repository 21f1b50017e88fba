/**
 * One bridge per project and channel: two would share one outbox and
 * baseline. The lock is a file holding the owner's pid; a lock whose pid is
 * gone (a crash, a SIGKILL) is taken over.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";

export class InstanceLockedError extends Error {
  constructor(readonly pid: number, file: string) {
    super(`another bridge (pid ${pid}) is already running for this project and channel (lock: ${file})`);
    this.name = "InstanceLockedError";
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function acquireInstanceLock(file: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: "wx" });
      return () => rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const pid = Number(readFileSync(file, "utf8").trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) throw new InstanceLockedError(pid, file);
      rmSync(file, { force: true });
    }
  }
  throw new Error(`could not take the lock ${file}`);
}
