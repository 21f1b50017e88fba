/**
 * The task ↔ agent link. Each task lists, in `agents`, the agents that report
 * it (or one of its subtasks) as their current task and are not offline.
 * The link is derived from the agents but kept on the task, so a snapshot
 * carries it and deltas move it: after every change that can move a link,
 * the hub appends task patches to the same delta, applied with the same
 * `applyChange` as everything else, so replay and snapshot agree.
 *
 * An agent's task lives in its `taskTag`, else in the project's current tag,
 * else in "master" (Task Master ids are per tag). A subtask id ("5.2") links
 * to its parent task ("5") when no top-level task has that id.
 */
import { DEFAULT_TAG, ownEntry, type AgentState, type Change, type ChannelState } from "../../protocol/index.ts";
import type { ChannelModel } from "./channel-model.ts";
import type { StoredEntity } from "./storage.ts";

export interface TaskRef {
  readonly tag: string;
  readonly id: string;
}

const refKey = (ref: TaskRef) => `${ref.tag}/${ref.id}`;

/** The task an agent works on, if it is online-ish and the task exists. */
export function linkedTask(state: ChannelState, agent: AgentState): TaskRef | null {
  if (agent.status === "offline" || agent.taskId === null) return null;
  const tag = agent.taskTag ?? state.meta.currentTag ?? DEFAULT_TAG;
  const tasks = ownEntry(state.tasks, tag);
  if (!tasks) return null;
  if (ownEntry(tasks, agent.taskId)) return { tag, id: agent.taskId };
  const parent = agent.taskId.split(".")[0]!;
  return parent !== agent.taskId && ownEntry(tasks, parent) ? { tag, id: parent } : null;
}

/** An agent change can move a link only through these fields. */
const LINK_FIELDS = ["status", "taskId", "taskTag"] as const;

function movesLinks(change: Change): boolean {
  switch (change.kind) {
    case "agent":
      if (change.op === "patch") return LINK_FIELDS.some((field) => field in change.value);
      return true;
    case "task":
      return change.op === "set";
    case "meta":
      return "currentTag" in change.value;
    case "health":
      return false;
  }
}

/** Tasks that list `agentId` today. */
function tasksListing(state: ChannelState, agentId: string): TaskRef[] {
  const refs: TaskRef[] = [];
  for (const [tag, tasks] of Object.entries(state.tasks)) {
    for (const task of Object.values(tasks)) if (task.agents?.includes(agentId)) refs.push({ tag, id: task.id });
  }
  return refs;
}

/**
 * The task patches that bring every link in line with `state`, which already
 * holds `changes`. Only tasks those changes can have affected are looked at.
 */
export function taskAgentLinkChanges(state: ChannelState, changes: readonly Change[]): Change[] {
  const relevant = changes.filter(movesLinks);
  if (relevant.length === 0) return [];
  const touched = new Map<string, TaskRef>();
  const touch = (ref: TaskRef | null) => {
    if (ref) touched.set(refKey(ref), ref);
  };
  const touchAgent = (agentId: string) => {
    for (const ref of tasksListing(state, agentId)) touch(ref);
    const agent = ownEntry(state.agents, agentId);
    if (agent) touch(linkedTask(state, agent));
  };
  for (const change of relevant) {
    if (change.kind === "agent") touchAgent(change.key);
    else if (change.kind === "task") touch({ tag: change.tag, id: change.key });
    else for (const agentId of Object.keys(state.agents)) touchAgent(agentId);
  }
  if (touched.size === 0) return [];

  const working = new Map<string, string[]>();
  for (const agent of Object.values(state.agents)) {
    const ref = linkedTask(state, agent);
    if (ref && touched.has(refKey(ref))) working.set(refKey(ref), [...(working.get(refKey(ref)) ?? []), agent.id]);
  }
  const patches: Change[] = [];
  for (const [key, ref] of touched) {
    const task = ownEntry(ownEntry(state.tasks, ref.tag) ?? {}, ref.id);
    if (!task) continue;
    const agents = (working.get(key) ?? []).sort();
    const current = task.agents ?? [];
    if (current.length === agents.length && current.every((id, i) => id === agents[i])) continue;
    patches.push({ kind: "task", op: "patch", tag: ref.tag, key: ref.id, value: { agents } });
  }
  return patches;
}

/** The rows to persist for tasks whose link moved (their versions stay: no event was applied to them), except `skipKey`, already written. */
export function linkedRows(model: Pick<ChannelModel, "row">, links: readonly Change[], skipKey?: string): StoredEntity[] {
  const rows: StoredEntity[] = [];
  for (const change of links) {
    if (change.kind !== "task") continue;
    const row = model.row({ kind: "task", tag: change.tag, id: change.key });
    if (row.key !== skipKey) rows.push(row);
  }
  return rows;
}
