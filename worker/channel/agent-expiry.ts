/** Agents that went quiet: no event for AGENT_TTL_SECONDS means offline; offline past the purge horizon means gone. */
import type { AgentState, Change } from "../../protocol/index.ts";

export function expiredAgentChanges(agents: Record<string, AgentState>, nowMs: number, ttlMs: number): Change[] {
  const changes: Change[] = [];
  for (const agent of Object.values(agents)) {
    if (agent.status === "offline") continue;
    if (Date.parse(agent.lastSeenAt) + ttlMs <= nowMs) {
      changes.push({
        kind: "agent",
        op: "patch",
        key: agent.id,
        value: { status: "offline", detail: `no event for ${Math.round(ttlMs / 1000)} s` },
      });
    }
  }
  return changes;
}

/** When the next agent expires, or null if none can. */
export function nextAgentExpiryMs(agents: Record<string, AgentState>, ttlMs: number): number | null {
  let next: number | null = null;
  for (const agent of Object.values(agents)) {
    if (agent.status === "offline") continue;
    const at = Date.parse(agent.lastSeenAt) + ttlMs;
    if (next === null || at < next) next = at;
  }
  return next;
}

/** Offline agents last seen before the cutoff (the purge horizon): removed, so the agent list does not grow forever. */
export function purgedAgentChanges(agents: Record<string, AgentState>, cutoffMs: number): Change[] {
  return Object.values(agents)
    .filter((agent) => agent.status === "offline" && Date.parse(agent.lastSeenAt) < cutoffMs)
    .map((agent) => ({ kind: "agent", op: "remove", key: agent.id }));
}
