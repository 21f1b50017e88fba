/**
 * Memory, file descriptors and CPU time of this process and of others (the
 * workerd child, a benchmark's server), read from /proc (Linux). Everything
 * returns null where /proc is missing.
 */
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { readProc } from "../../dev/processes.ts";

/** Resident set size in bytes (VmRSS). */
export function rssBytes(pid: number | "self"): number | null {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readProc(`/proc/${pid}/status`) ?? "");
  return match ? Number(match[1]) * 1024 : null;
}

/** Open file descriptors (the entries of /proc/<pid>/fd). */
export function fdCount(pid: number | "self"): number | null {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return null;
  }
}

export interface ProcessSample {
  readonly nodeRssBytes: number;
  readonly nodeFds: number | null;
  readonly workerdPid: number | null;
  readonly workerdRssBytes: number | null;
  readonly workerdFds: number | null;
}

export function sampleProcesses(workerdPid: number | null): ProcessSample {
  return {
    nodeRssBytes: process.memoryUsage().rss,
    nodeFds: fdCount("self"),
    workerdPid,
    workerdRssBytes: workerdPid === null ? null : rssBytes(workerdPid),
    workerdFds: workerdPid === null ? null : fdCount(workerdPid),
  };
}

const mib = (bytes: number | null) => (bytes === null ? "n/a" : `${(bytes / 1024 / 1024).toFixed(0)} MiB`);

export function formatSample(s: ProcessSample): string {
  const workerd =
    s.workerdPid === null
      ? "workerd: pid not found under /proc (skipped)"
      : `workerd (pid ${s.workerdPid}) RSS ${mib(s.workerdRssBytes)}, ${s.workerdFds ?? "n/a"} fds`;
  return `node RSS ${mib(s.nodeRssBytes)}, ${s.nodeFds ?? "n/a"} fds (ls /proc/self/fd) · ${workerd}`;
}

/** The soft RLIMIT_NOFILE of this process (children such as workerd inherit it), from /proc/self/limits. */
export function openFilesSoftLimit(): number | null {
  const match = /^Max open files\s+(\d+)/m.exec(readProc("/proc/self/limits") ?? "");
  return match ? Number(match[1]) : null;
}

let clockTicksPerSecond: number | null = null;

/** CPU time (user + system, seconds) a process has used so far, from /proc/<pid>/stat; null where it cannot be read. */
export function cpuSeconds(pid: number | "self"): number | null {
  const stat = readProc(`/proc/${pid}/stat`);
  if (!stat) return null;
  // After "pid (comm) ": state is field 3, utime field 14, stime field 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  clockTicksPerSecond ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond;
}
