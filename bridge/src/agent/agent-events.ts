/** `agent.status` events, as the bridge, the `agent` command and the demo build them. */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { AgentStatus, HubEventInput } from "../../../protocol/index.ts";

export interface AgentStatusReport {
  readonly agentId: string;
  readonly status: AgentStatus;
  /** The task the agent works on; null or absent = none. */
  readonly taskId?: string | null;
  readonly name?: string;
  readonly detail?: string;
}

export function agentStatusEvent(report: AgentStatusReport, now = new Date()): HubEventInput {
  return {
    id: `as-${randomUUID()}`,
    type: "agent.status",
    occurredAt: now.toISOString(),
    data: {
      agentId: report.agentId,
      status: report.status,
      ...(report.taskId !== undefined ? { taskId: report.taskId } : {}),
      ...(report.name !== undefined ? { name: report.name } : {}),
      ...(report.detail !== undefined ? { detail: report.detail } : {}),
    },
  };
}

/** This host's name as an agent-id-safe key ("build-box.local" stays, "My Mac" → "My-Mac"). */
export function hostKey(): string {
  const safe = hostname().replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[^A-Za-z0-9]+/, "").slice(0, 60);
  return safe || "host";
}
