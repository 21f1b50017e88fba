/** Agent rows for the agents panel: most urgent first. */
import type { AgentState, AgentStatus, ChannelState } from "../../../../protocol/index.ts";

export interface AgentRow {
  readonly id: string;
  readonly name: string;
  readonly status: AgentStatus;
  readonly taskId: string | null;
  readonly taskTitle: string | null;
  readonly detail: string | null;
  readonly lastSeenAt: string;
}

/** Errors first (someone must look), then working, then the rest. */
const STATUS_ORDER: Readonly<Record<AgentStatus, number>> = { error: 0, busy: 1, online: 2, idle: 3, offline: 4 };

export function agentRows(state: ChannelState): AgentRow[] {
  const tag = state.meta.currentTag;
  return Object.values(state.agents)
    .map((agent) => toRow(agent, state, tag))
    .sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || a.name.localeCompare(b.name));
}

export function agentCounts(rows: readonly AgentRow[]): Record<AgentStatus, number> {
  const counts: Record<AgentStatus, number> = { online: 0, busy: 0, idle: 0, error: 0, offline: 0 };
  for (const row of rows) counts[row.status]++;
  return counts;
}

/** Rows kept per agent record (replaced whenever the agent changes), so an unchanged agent's row keeps its identity and does not re-render. */
const rowByAgent = new WeakMap<AgentState, AgentRow>();

function toRow(agent: AgentState, state: ChannelState, currentTag: string | undefined): AgentRow {
  const taskTitle = agent.taskId ? findTaskTitle(state, agent.taskId, agent.taskTag ?? currentTag) : null;
  const cached = rowByAgent.get(agent);
  if (cached && cached.taskTitle === taskTitle) return cached;
  const row: AgentRow = {
    id: agent.id,
    name: agent.name ?? agent.id,
    status: agent.status,
    taskId: agent.taskId,
    taskTitle,
    detail: agent.detail,
    lastSeenAt: agent.lastSeenAt,
  };
  rowByAgent.set(agent, row);
  return row;
}

/** The agent's own tag when it named one, else the current tag, then any tag that has the task. */
function findTaskTitle(state: ChannelState, taskId: string, currentTag: string | undefined): string | null {
  const tags = currentTag ? [currentTag, ...Object.keys(state.tasks)] : Object.keys(state.tasks);
  for (const tag of tags) {
    const task = state.tasks[tag]?.[taskId];
    if (task) return task.title ?? null;
    const parentId = taskId.split(".")[0];
    const sub = parentId ? state.tasks[tag]?.[parentId]?.subtasks.find((s) => s.id === taskId) : undefined;
    if (sub) return sub.title ?? null;
  }
  return null;
}
