/**
 * Random Task Master projects for the "next task" parity test, and the real
 * CLI's answer for one (`task-master next --format json`). A project is a
 * pure function of its seed, so fixtures can be regenerated and compared.
 *
 * Projects stay inside what 0.43.1's `next` accepts: every top-level task has
 * a title, a description, one of Task Master's seven statuses and a priority
 * (any other value, `completed` included, makes the command fail). Subtasks are
 * not validated by Task Master, so they also omit status or priority at times.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./dev-server.ts";
import { seededRandom } from "./seeded-random.ts";

export interface RawSubtask {
  id: number;
  title: string;
  description: string;
  status?: string;
  priority?: string;
  dependencies: (number | string)[];
}

export interface RawTask {
  id: number;
  title: string;
  description: string;
  status: string;
  priority: string;
  dependencies: (number | string)[];
  subtasks: RawSubtask[];
}

/** The tagged tasks.json format Task Master writes. */
export type TasksFile = Record<string, { tasks: RawTask[]; metadata: { created: string; updated: string; description: string } }>;

export interface GeneratedProject {
  seed: number;
  tasksFile: TasksFile;
  /** state.json's `currentTag`. */
  currentTag: string;
  /** Tags to ask about explicitly with `--tag`, besides the current one. */
  alsoAsk: string[];
}

/** What `task-master next --format json` answered, reduced to what the parity test compares. */
export interface NextAnswer {
  /** The tag the CLI resolved (`--tag`, else state.json's current tag). */
  tag: string;
  found: boolean;
  id: string | null;
  title: string | null;
  hasAnyTasks: boolean;
}

export interface NextQuery {
  /** null: no `--tag`, the current tag. */
  tag: string | null;
  expected: NextAnswer;
}

export interface NextFixture {
  seed: number;
  tasksFile: TasksFile;
  currentTag: string;
  queries: NextQuery[];
}

const STATUSES = ["pending", "in-progress", "done", "review", "deferred", "cancelled", "blocked"] as const;
const PRIORITIES = ["low", "medium", "high", "critical"] as const;
const TAG_NAMES = ["master", "feature-auth", "ui", "v2"] as const;
const METADATA = { created: "2026-01-01T00:00:00.000Z", updated: "2026-01-01T00:00:00.000Z", description: "generated" };


class Dice {
  readonly #next: () => number;
  constructor(seed: number) {
    this.#next = seededRandom(seed);
  }
  chance(p: number): boolean {
    return this.#next() < p;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.#next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.#next() * items.length)] as T;
  }
  /** Picks by weight; `weights` line up with `items`. */
  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    const total = weights.reduce((a, b) => a + b, 0);
    let roll = this.#next() * total;
    for (let i = 0; i < items.length; i++) {
      roll -= weights[i] ?? 0;
      if (roll < 0) return items[i] as T;
    }
    return items[items.length - 1] as T;
  }
}

/**
 * Seeds from here on make "chain" projects, which reach the rules a mixed
 * project rarely decides on: the first half of a tag is mostly done or
 * cancelled, every later task waits on one to three earlier tasks or their
 * subtasks, and half the tags share one priority. So a pick often hangs on a
 * cancelled dependency (which does not satisfy), on a done subtask of a parent
 * that is not pending, in progress or done (which does not either), or on the
 * dependency count.
 */
export const CHAIN_SEEDS_FROM = 101;

interface Style {
  readonly chain: boolean;
  /** 0-1: shifts weight from pending to done. */
  readonly doneness: number;
}

/** Status weights in STATUSES order. */
function statusWeights(doneness: number): number[] {
  return [4 * (1 - doneness) + 0.5, 1.5, 6 * doneness + 0.3, 0.4, 0.4, 0.4, 0.5];
}
const CHAIN_EARLY_WEIGHTS = [0.3, 0.3, 5, 0.6, 0.6, 2.5, 0.6];
const CHAIN_LATE_WEIGHTS = [4, 0.6, 0.3, 0.3, 0.3, 0.3, 0.3];

function chainStatusWeights(id: number, taskCount: number): number[] {
  return id <= taskCount / 2 ? CHAIN_EARLY_WEIGHTS : CHAIN_LATE_WEIGHTS;
}

function generateTag(dice: Dice, taskCount: number, style: Style): RawTask[] {
  const tasks: RawTask[] = [];
  const tagPriority = style.chain && dice.chance(0.5) ? dice.pick(PRIORITIES) : null;
  for (let id = 1; id <= taskCount; id++) {
    const status = dice.weighted(STATUSES, style.chain ? chainStatusWeights(id, taskCount) : statusWeights(style.doneness));
    const subtaskCount = dice.chance(status === "in-progress" ? 0.85 : style.chain ? 0.7 : 0.35) ? dice.int(1, 4) : 0;
    const subtasks: RawSubtask[] = [];
    for (let sid = 1; sid <= subtaskCount; sid++) {
      const sub: RawSubtask = { id: sid, title: `Subtask ${id}.${sid}`, description: `Step ${sid} of task ${id}`, dependencies: [] };
      if (!dice.chance(0.08)) sub.status = dice.weighted(STATUSES, statusWeights(style.doneness));
      if (dice.chance(0.5)) sub.priority = dice.pick(PRIORITIES);
      for (let dep = 1; dep < sid; dep++) {
        // Siblings as Task Master's own add-subtask writes them (bare numbers), or dotted.
        if (dice.chance(0.35)) sub.dependencies.push(dice.chance(0.75) ? dep : `${id}.${dep}`);
      }
      subtasks.push(sub);
    }
    tasks.push({ id, title: `Task ${id}`, description: `Generated task ${id}`, status, priority: tagPriority ?? dice.weighted(PRIORITIES, [2, 4, 3, 1]), dependencies: [], subtasks });
  }
  for (const task of tasks) {
    const others = tasks.filter((t) => t.id !== task.id);
    const earlier = others.filter((t) => t.id < task.id);
    const targets = style.chain ? earlier : others;
    const depCount = targets.length === 0 ? 0 : style.chain ? dice.int(1, Math.min(3, targets.length)) : dice.weighted([0, 1, 2, 3], [4, 3, 2, 1]);
    for (let i = 0; i < depCount; i++) {
      const target = dice.pick(targets);
      const sub = target.subtasks.length > 0 && dice.chance(style.chain ? 0.5 : 0.25) ? dice.pick(target.subtasks) : null;
      const dep = sub ? `${target.id}.${sub.id}` : dice.chance(0.15) ? String(target.id) : target.id;
      if (!task.dependencies.some((d) => String(d) === String(dep))) task.dependencies.push(dep);
    }
    if (dice.chance(0.04)) task.dependencies.push(99);
    for (const sub of task.subtasks) {
      // A subtask waiting on another task's subtask can only say so with a dotted id.
      const foreign = others.filter((t) => t.subtasks.length > 0);
      if (foreign.length > 0 && dice.chance(0.12)) {
        const target = dice.pick(foreign);
        sub.dependencies.push(`${target.id}.${dice.pick(target.subtasks).id}`);
      }
    }
  }
  return tasks;
}

export function generateProject(seed: number): GeneratedProject {
  const dice = new Dice(seed);
  const tagCount = dice.weighted([1, 2, 3], [2, 3, 2]);
  const tags = [TAG_NAMES[0], ...TAG_NAMES.slice(1, tagCount)];
  const doneness = dice.pick([0.1, 0.4, 0.7, 0.95]);
  const tasksFile: TasksFile = {};
  for (const tag of tags) {
    const count = dice.chance(0.05) ? 0 : dice.int(1, 9);
    tasksFile[tag] = { tasks: generateTag(dice, count, { chain: seed >= CHAIN_SEEDS_FROM, doneness }), metadata: METADATA };
  }
  const currentTag = dice.chance(0.6) ? "master" : dice.pick(tags);
  const alsoAsk = tags.filter((t) => t !== currentTag && dice.chance(0.5)).slice(0, 1);
  return { seed, tasksFile, currentTag, alsoAsk };
}

/** A temp HOME and environment in which the Task Master CLI stays offline and quiet. */
export function offlineTaskMasterEnv(home: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    HOME: home,
    TASKMASTER_SKIP_AUTO_UPDATE: "1",
    NO_COLOR: "1",
    FORCE_COLOR: "0",
    NODE_COMPILE_CACHE: join(home, "node-compile-cache"),
  };
}

/** Writes the project as Task Master's files (telemetry off) into a new temp folder; returns it. */
export function writeProject(project: Pick<GeneratedProject, "tasksFile" | "currentTag">): string {
  const dir = mkdtempSync(join(tmpdir(), "tml-next-"));
  mkdirSync(join(dir, ".taskmaster/tasks"), { recursive: true });
  writeFileSync(join(dir, ".taskmaster/config.json"), JSON.stringify({ global: { anonymousTelemetry: false } }, null, 2));
  writeFileSync(join(dir, ".taskmaster/state.json"), JSON.stringify({ currentTag: project.currentTag, migrationNoticeShown: true }, null, 2));
  writeFileSync(join(dir, ".taskmaster/tasks/tasks.json"), JSON.stringify(project.tasksFile, null, 2));
  return dir;
}

const TASK_MASTER = join(ROOT, "node_modules/.bin/task-master");
const CLI_TIMEOUT_MS = 120_000;

interface NextJson {
  task: { id: string | number; title: string } | null;
  found: boolean;
  tag: string;
  hasAnyTasks: boolean;
}

/**
 * The CLI prints a telemetry notice before the JSON and a boxed tip after it;
 * the JSON is the block from a line that is exactly "{" to a line that is exactly "}".
 */
export function parseNextOutput(stdout: string): NextAnswer {
  const lines = stdout.split("\n");
  const start = lines.indexOf("{");
  const end = lines.indexOf("}", start);
  if (start < 0 || end < 0) throw new Error(`no JSON object in the output of task-master next:\n${stdout}`);
  const json = JSON.parse(lines.slice(start, end + 1).join("\n")) as NextJson;
  return { tag: json.tag, found: json.found, id: json.task ? String(json.task.id) : null, title: json.task?.title ?? null, hasAnyTasks: json.hasAnyTasks };
}

/** Runs the real `task-master next --format json` (with `--tag` when given) in `dir`. */
export function runTaskMasterNext(dir: string, env: NodeJS.ProcessEnv, tag: string | null): Promise<NextAnswer> {
  const args = ["next", "--format", "json", ...(tag === null ? [] : ["--tag", tag])];
  return new Promise((resolve, reject) => {
    execFile(TASK_MASTER, args, { cwd: dir, env, timeout: CLI_TIMEOUT_MS, maxBuffer: 10 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`task-master ${args.join(" ")} failed in ${dir}: ${error.message}\n${stdout}\n${stderr}`));
      try {
        resolve(parseNextOutput(stdout));
      } catch (parseError) {
        reject(parseError);
      }
    });
  });
}
