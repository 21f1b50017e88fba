/**
 * Which agents work on a task. An agent reports its current task by id
 * without a tag, so it is read in the project's current tag (in any tag when
 * the project has not said which is current); a task's own `agentId` counts
 * too. Working on a subtask counts as working on its task for the task list.
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

function reportsInTag(state: ChannelState, tag: string): boolean {
  const current = state.meta.currentTag;
  return current === undefined || current === tag;
}

/** Agent ids by the task row they work on (a subtask's agents are also its task's), for one tag. */
export function agentIdsByTask(state: ChannelState, tag: string): ReadonlyMap<string, readonly string[]> {
  const out = new Map<string, string[]>();
  const add = (taskId: string, agentId: string) => {
    const list = out.get(taskId) ?? [];
    if (!list.includes(agentId)) list.push(agentId);
    out.set(taskId, list);
  };
  const tasks = ownEntry(state.tasks, tag) ?? {};
  for (const task of Object.values(tasks)) {
    if (task.agentId) add(task.id, task.agentId);
    for (const sub of task.subtasks) if (sub.agentId) add(task.id, sub.agentId);
  }
  if (!reportsInTag(state, tag)) return out;
  for (const agent of Object.values(state.agents)) {
    if (!agent.taskId) continue;
    const owner = Object.hasOwn(tasks, agent.taskId) ? agent.taskId : Object.values(tasks).find((t) => t.subtasks.some((s) => s.id === agent.taskId))?.id;
    if (owner !== undefined) add(owner, agent.id);
  }
  return out;
}

/** The agents working on one task or subtask (a task also shows the agents on its subtasks). */
export function agentsOnItem(state: ChannelState, tag: string, id: string, subtaskIds: readonly string[] = []): TaskAgentView[] {
  const ids = [id, ...subtaskIds];
  const out = new Map<string, TaskAgentView>();
  const view = (agentId: string, onId: string): TaskAgentView => {
    const agent = ownEntry(state.agents, agentId);
    return { id: agentId, name: agent?.name ?? agentId, status: agent?.status ?? null, onId };
  };
  const item = findWorkItem(ownEntry(state.tasks, tag), id)?.item;
  if (item?.agentId) out.set(item.agentId, view(item.agentId, id));
  if (reportsInTag(state, tag)) {
    for (const agent of Object.values(state.agents)) {
      if (agent.taskId && ids.includes(agent.taskId) && !out.has(agent.id)) out.set(agent.id, view(agent.id, agent.taskId));
    }
  }
  return [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
}
