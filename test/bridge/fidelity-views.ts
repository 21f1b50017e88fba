/**
 * Everything `task-master show` tells about a project, read two ways: from
 * Task Master's own files, with Task Master's own reading rules written out
 * here (not through the bridge's normaliser), and from the hub's snapshot.
 * The fidelity tests compare the two.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ChannelState, SubtaskState, TaskState } from "../../protocol/index.ts";

interface ShownItem {
  title: string | undefined;
  status: string;
  statusRaw: string | undefined;
  priority: string | undefined;
  description: string | undefined;
  details: string | undefined;
  testStrategy: string | undefined;
  dependencies: string[];
}

export interface ShownTask extends ShownItem {
  complexity: { score: number; recommendedSubtasks: number | undefined; reasoning: string | undefined } | undefined;
  subtasks: (ShownItem & { id: string })[];
}

export interface ShownProject {
  currentTag: string;
  tags: { name: string; description: string | undefined }[];
  tasks: Record<string, Record<string, ShownTask>>;
}

type RawItem = Record<string, unknown> & { id: number | string; dependencies?: (number | string)[] };
type RawTask = RawItem & { subtasks?: RawItem[] };

const KNOWN = ["pending", "in-progress", "done", "review", "deferred", "cancelled", "blocked", "failed"];

/** Task Master: a missing status is pending, `completed` counts as done; anything else is its own text. */
function statusOf(raw: unknown): { status: string; statusRaw: string | undefined } {
  const text = typeof raw === "string" && raw !== "" ? raw : "pending";
  if (text === "completed") return { status: "done", statusRaw: undefined };
  return KNOWN.includes(text) ? { status: text, statusRaw: undefined } : { status: "blocked", statusRaw: text };
}

const str = (x: unknown) => (typeof x === "string" ? x : undefined);

function item(raw: RawItem, dependency: (dep: number | string) => string): ShownItem {
  return {
    title: str(raw.title),
    ...statusOf(raw.status),
    priority: str(raw.priority),
    description: str(raw.description),
    details: str(raw.details),
    testStrategy: str(raw.testStrategy),
    dependencies: (raw.dependencies ?? []).map(dependency),
  };
}

interface ReportEntry {
  taskId: number;
  complexityScore: number;
  recommendedSubtasks?: number;
  reasoning?: string;
}

function report(project: string, tag: string): ReportEntry[] {
  const file = join(project, ".taskmaster/reports", tag === "master" ? "task-complexity-report.json" : `task-complexity-report_${tag}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as { complexityAnalysis: ReportEntry[] }).complexityAnalysis : [];
}

export function fullFromFiles(project: string, tasksFile = join(project, ".taskmaster/tasks/tasks.json")): ShownProject {
  const raw = JSON.parse(readFileSync(tasksFile, "utf8")) as Record<string, { tasks: RawTask[]; metadata?: { description?: string } }>;
  const state = JSON.parse(readFileSync(join(project, ".taskmaster/state.json"), "utf8")) as { currentTag?: string };
  const shown: ShownProject = { currentTag: state.currentTag ?? "master", tags: [], tasks: {} };
  for (const [tag, body] of Object.entries(raw)) {
    shown.tags.push({ name: tag, description: body.metadata?.description });
    const complexity = report(project, tag);
    for (const t of body.tasks) {
      const entry = complexity.find((c) => String(c.taskId) === String(t.id));
      (shown.tasks[tag] ??= {})[String(t.id)] = {
        ...item(t, String),
        complexity: entry ? { score: entry.complexityScore, recommendedSubtasks: entry.recommendedSubtasks, reasoning: entry.reasoning } : undefined,
        // Inside a subtask a bare dependency is its sibling: `${parent}.${dep}` (Task Master's findNextTask).
        subtasks: (t.subtasks ?? []).map((s) => ({ id: `${t.id}.${s.id}`, ...item(s, (d) => (String(d).includes(".") ? String(d) : `${t.id}.${d}`)) })),
      };
    }
  }
  return shown;
}

function hubItem(x: TaskState | SubtaskState): ShownItem {
  return {
    title: x.title,
    status: x.status,
    statusRaw: x.statusRaw,
    priority: x.priority,
    description: x.description,
    details: x.details,
    testStrategy: x.testStrategy,
    dependencies: x.dependencies,
  };
}

export function fullFromHub(state: ChannelState): ShownProject {
  const shown: ShownProject = { currentTag: state.meta.currentTag ?? "master", tags: (state.meta.tags ?? []).map((t) => ({ name: t.name, description: t.description })), tasks: {} };
  for (const [tag, byId] of Object.entries(state.tasks)) {
    for (const [id, t] of Object.entries(byId)) {
      (shown.tasks[tag] ??= {})[id] = {
        ...hubItem(t),
        complexity: t.complexity ? { score: t.complexity.score, recommendedSubtasks: t.complexity.recommendedSubtasks, reasoning: t.complexity.reasoning } : undefined,
        subtasks: t.subtasks.map((s) => ({ id: s.id, ...hubItem(s) })),
      };
    }
  }
  return shown;
}
