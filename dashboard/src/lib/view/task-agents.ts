/**
 * Which agents work on a task: the hub keeps the link on each task
 * (`agents`: the agents not offline that report it, or one of its subtasks,
 * as their current task, read in the agent's `taskTag` or the project's
 * current tag), and a task's or subtask's own `agentId` counts too.
 */
import { ownEntry, type AgentStatus, type ChannelState } from "../../../../protocol/index.ts";
import { findWorkItem } from "./work-items.ts";

export interface TaskAgentView {
  readonly id: string;
  readonly name: string;
  readonly status: AgentStatus | null;
  /** The id the agent reports (the task, or one of its subtasks). */
  readonly onId: string;
}

/** Agent ids by the task row they work on (a subtask's agents are also its task's), for one tag. */
export function agentIdsByTask(state: ChannelState, tag: string): ReadonlyMap<string, readonly string[]> {
  const out = new Map<string, string[]>();
  for (const task of Object.values(ownEntry(state.tasks, tag) ?? {})) {
    const own = [task.agentId, ...task.subtasks.map((s) => s.agentId)].filter((id): id is string => typeof id === "string");
    const ids = [...new Set([...own, ...(task.agents ?? [])])];
    if (ids.length > 0) out.set(task.id, ids);
  }
  return out;
}

/** The agents working on one task or subtask (a task also shows the agents on its subtasks). */
export function agentsOnItem(state: ChannelState, tag: string, id: string): TaskAgentView[] {
  const tasks = ownEntry(state.tasks, tag);
  const found = findWorkItem(tasks, id);
  if (!tasks || !found) return [];
  const task = found.parent ?? ownEntry(tasks, id);
  const out = new Map<string, TaskAgentView>();
  const view = (agentId: string, onId: string): TaskAgentView => {
    const agent = ownEntry(state.agents, agentId);
    return { id: agentId, name: agent?.name ?? agentId, status: agent?.status ?? null, onId };
  };
  if (found.item.agentId) out.set(found.item.agentId, view(found.item.agentId, id));
  for (const agentId of task?.agents ?? []) {
    const reported = ownEntry(state.agents, agentId)?.taskId ?? id;
    // On a subtask's view, only the agents reporting that subtask.
    if (found.parent && reported !== id) continue;
    if (!out.has(agentId)) out.set(agentId, view(agentId, reported));
  }
  return [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
}
