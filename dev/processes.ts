/** This process's children, read from /proc (Linux); null where /proc is missing. */
import { readdirSync, readFileSync } from "node:fs";

/** A /proc file's text, or null (no /proc, or the process is gone). */
export function readProc(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

/** First child of `parentPid` whose command name is `comm`, from /proc/<pid>/stat. */
export function findChildPid(parentPid: number, comm: string): number | null {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return null;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProc(`/proc/${entry}/stat`);
    if (!stat) continue;
    // "pid (comm) state ppid …": comm may hold spaces or parentheses, so split at the last ")".
    const close = stat.lastIndexOf(")");
    const name = stat.slice(stat.indexOf("(") + 1, close);
    const ppid = Number(stat.slice(close + 2).split(" ")[1]);
    if (name === comm && ppid === parentPid) return Number(entry);
  }
  return null;
}
