/** Host health from `os`: CPU busy % between two readings, memory in use. */
import { cpus, freemem, totalmem } from "node:os";

export interface CpuTimes {
  readonly idleMs: number;
  readonly totalMs: number;
}

function readCpuTimes(): CpuTimes {
  let idleMs = 0;
  let totalMs = 0;
  for (const cpu of cpus()) {
    const t = cpu.times;
    idleMs += t.idle;
    totalMs += t.user + t.nice + t.sys + t.idle + t.irq;
  }
  return { idleMs, totalMs };
}

/** Busy share of all cores between two readings, 0-100; null when no time passed. Pure. */
export function cpuPercentBetween(before: CpuTimes, after: CpuTimes): number | null {
  const total = after.totalMs - before.totalMs;
  if (total <= 0) return null;
  const busy = total - (after.idleMs - before.idleMs);
  return Math.round(Math.min(100, Math.max(0, (busy * 100) / total)) * 10) / 10;
}

export function memoryInUse(): { usedBytes: number; totalBytes: number } {
  const totalBytes = totalmem();
  return { usedBytes: Math.min(totalBytes, totalBytes - freemem()), totalBytes };
}

/** CPU % since the previous call (the first call measures since construction). */
export class CpuSampler {
  #last = readCpuTimes();

  sample(): number | undefined {
    const now = readCpuTimes();
    const percent = cpuPercentBetween(this.#last, now);
    this.#last = now;
    return percent ?? undefined;
  }
}
