/** One readable line per delta of the recent-activity feed. */
import type { Change, ChannelState } from "../../../../protocol/index.ts";
import type { ActivityEntry } from "../live/index.ts";

export interface ActivityLine {
  readonly seq: number;
  readonly atIso: string;
  readonly kind: Change["kind"] | "mixed";
  readonly text: string;
}

/**
 * Routine: only health samples and agents checking in (a patch without a status change).
 * They arrive every few seconds per source and would push real activity out of view.
 */
export function isRoutine(entry: ActivityEntry): boolean {
  return entry.changes.every((c) => c.kind === "health" || (c.kind === "agent" && c.op === "patch" && c.value.status === undefined));
}

/** At most `max` lines, in the order given (LiveChannel gives newest first); routine entries only when asked for. */
export function activityLines(entries: readonly ActivityEntry[], max: number, state: ChannelState | null, includeRoutine = false): ActivityLine[] {
  // Agent patches carry only the id: name agents as the state knows them now.
  const agentName = (id: string) => state?.agents[id]?.name ?? id;
  const shown = includeRoutine ? entries : entries.filter((entry) => !isRoutine(entry));
  return shown.slice(0, max).map((entry) => cachedLine(entry, agentName));
}

/**
 * Lines kept per entry with the agent names they used: a line is rebuilt only
 * when one of those names changed, so a frame's new entries do not re-render
 * the fifty lines below them.
 */
const lineByEntry = new WeakMap<ActivityEntry, { readonly line: ActivityLine; readonly names: ReadonlyMap<string, string> }>();

function cachedLine(entry: ActivityEntry, agentName: (id: string) => string): ActivityLine {
  const cached = lineByEntry.get(entry);
  if (cached && [...cached.names].every(([id, name]) => agentName(id) === name)) return cached.line;
  const names = new Map<string, string>();
  const line = describe(entry, (id) => {
    const name = agentName(id);
    names.set(id, name);
    return name;
  });
  lineByEntry.set(entry, { line, names });
  return line;
}

function describe(entry: ActivityEntry, agentName: (id: string) => string): ActivityLine {
  const kinds = new Set(entry.changes.map((c) => c.kind));
  const kind = kinds.size === 1 ? [...kinds][0]! : "mixed";
  const parts = entry.changes.slice(0, 3).map((change) => describeChange(change, agentName));
  const more = entry.changes.length > 3 ? ` (+${entry.changes.length - 3} more)` : "";
  const text = parts.length > 0 ? parts.join("; ") + more : entry.cause ? `${entry.cause.type} (no visible change)` : "no change";
  return { seq: entry.seq, atIso: entry.atIso, kind, text };
}

function describeChange(change: Change, agentName: (id: string) => string): string {
  switch (change.kind) {
    case "agent": {
      if (change.op === "remove") return `Removed ${agentName(change.key)} (offline past the purge horizon)`;
      const v = change.value;
      if (change.op === "set") return `${v.name ?? change.key} is ${v.status}${v.taskId ? ` on task ${v.taskId}` : ""}`;
      if (v.status) return `${agentName(change.key)} is ${v.status}${v.taskId ? ` on task ${v.taskId}` : ""}`;
      return `${agentName(change.key)} checked in`;
    }
    case "task": {
      const where = `task ${change.key}${change.tag === "master" ? "" : ` [${change.tag}]`}`;
      if (change.op === "remove") return `Removed ${where}`;
      const v = change.value;
      if (change.op === "set") return `Updated ${where}${v.title ? ` “${v.title}”` : ""}: ${v.status}`;
      if (v.progress) return `Progress on ${where}: ${Math.round(v.progress.percent)}%${v.progress.message ? ` (${v.progress.message})` : ""}`;
      if (v.status) return `${capitalise(where)} → ${v.status}`;
      return `Updated ${where}`;
    }
    case "health": {
      const v = change.value;
      const bits = [v.cpu !== undefined ? `CPU ${Math.round(v.cpu)}%` : null, v.queueDepth !== undefined ? `queue ${v.queueDepth}` : null].filter(Boolean);
      return `Health from ${change.key}${bits.length ? `: ${bits.join(", ")}` : ""}`;
    }
    case "meta":
      return `Project ${[change.value.name ? `renamed “${change.value.name}”` : null, change.value.currentTag ? `switched to tag ${change.value.currentTag}` : null].filter(Boolean).join(", ") || "updated"}`;
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
