/**
 * The per-channel state, identical in the REST snapshot, the `snapshot`
 * frame, and every client that applied the deltas since (see changes.ts).
 */
import type { AgentStatus, TaskPriority, TaskStatus } from "./events.ts";

export interface AgentState {
  readonly id: string;
  name?: string;
  status: AgentStatus;
  /** The task the agent works on, or null. */
  taskId: string | null;
  detail: string | null;
  /** When the hub last heard of this agent (server clock, ISO-8601). Drives AGENT_TTL_SECONDS. */
  lastSeenAt: string;
  /** `occurredAt` of the last event applied to this agent. */
  updatedAt: string;
}

/** The fields a task and a subtask share. */
export interface WorkItemFields {
  title?: string;
  description?: string;
  details?: string;
  testStrategy?: string;
  status: TaskStatus;
  priority?: TaskPriority;
  dependencies: string[];
  agentId?: string | null;
  metadata?: Record<string, unknown>;
}

export interface SubtaskState extends WorkItemFields {
  /** Always "<parent>.<sub>", e.g. "5.2". */
  readonly id: string;
}

export interface TaskProgress {
  percent: number;
  message?: string;
  /** `occurredAt` of the progress event. */
  at: string;
}

export interface TaskState extends WorkItemFields {
  readonly id: string;
  readonly tag: string;
  subtasks: SubtaskState[];
  progress?: TaskProgress;
  /** `occurredAt` of the last event applied to this task. */
  updatedAt: string;
}

export interface HealthSample {
  /** `occurredAt` of the sample. */
  at: string;
  cpu?: number;
  memory?: { usedBytes: number; totalBytes: number };
  queueDepth?: number;
}

export interface ProjectMeta {
  name?: string;
  currentTag?: string;
}

export interface ChannelState {
  meta: ProjectMeta;
  /** By agent id. */
  agents: Record<string, AgentState>;
  /** By tag, then task id. A tag with no tasks is absent. */
  tasks: Record<string, Record<string, TaskState>>;
  /** By source, oldest first, at most HEALTH_HISTORY samples each. */
  health: Record<string, HealthSample[]>;
}

export function emptyState(): ChannelState {
  return { meta: {}, agents: {}, tasks: {}, health: {} };
}
