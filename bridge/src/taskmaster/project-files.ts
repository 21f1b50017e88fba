/** Where a Task Master project keeps its files, and reading them safely while Task Master writes. */
import { readFile, stat } from "node:fs/promises";
import { readFileSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";

export interface ProjectPaths {
  readonly root: string;
  readonly taskmasterDir: string;
  /** The folder of the tasks file. */
  readonly tasksDir: string;
  /** `.taskmaster/tasks/tasks.json`, or the file given with `--file`. */
  readonly tasksFile: string;
  readonly stateFile: string;
  readonly configFile: string;
  /** Where Task Master writes its complexity reports. */
  readonly reportsDir: string;
}

export class ProjectNotFoundError extends Error {
  constructor(readonly dir: string) {
    super(
      `no Task Master project found in ${dir} or above it (no .taskmaster/ folder). ` +
        "Run `npx task-master init` in your project, or pass --dir <project folder>.",
    );
    this.name = "ProjectNotFoundError";
  }
}

export class UnreadableFileError extends Error {
  constructor(readonly file: string, reason: string) {
    super(`${file} could not be read as JSON (${reason})`);
    this.name = "UnreadableFileError";
  }
}

/** A project's files; `tasksFile` (resolved against the current folder) replaces `.taskmaster/tasks/tasks.json`. */
export function projectPaths(root: string, tasksFile?: string): ProjectPaths {
  const taskmasterDir = join(root, ".taskmaster");
  const file = tasksFile === undefined ? join(taskmasterDir, "tasks", "tasks.json") : resolve(tasksFile);
  return {
    root,
    taskmasterDir,
    tasksDir: dirname(file),
    tasksFile: file,
    stateFile: join(taskmasterDir, "state.json"),
    configFile: join(taskmasterDir, "config.json"),
    reportsDir: join(taskmasterDir, "reports"),
  };
}

const isDir = (path: string) => {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
};

/** The nearest folder at or above `dir` holding `.taskmaster/`, as Task Master itself looks. */
export function findProject(dir: string, tasksFile?: string): ProjectPaths {
  let current = resolve(dir);
  for (;;) {
    if (isDir(join(current, ".taskmaster"))) return projectPaths(current, tasksFile);
    const parent = dirname(current);
    if (parent === current) throw new ProjectNotFoundError(resolve(dir));
    current = parent;
  }
}

export function projectFolderName(paths: ProjectPaths): string {
  return basename(paths.root);
}

/** What `task-master init` writes as `global.projectName` until the user names the project. */
const TASK_MASTER_DEFAULT_PROJECT_NAME = "Task Master";

/** Parsed `.taskmaster/config.json` → the project's name, or null when it is unset or Task Master's default. */
export function configuredProjectName(config: unknown): string | null {
  const global = typeof config === "object" && config !== null ? (config as { global?: unknown }).global : undefined;
  const name = typeof global === "object" && global !== null ? (global as { projectName?: unknown }).projectName : undefined;
  if (typeof name !== "string") return null;
  const trimmed = name.trim();
  return trimmed === "" || trimmed === TASK_MASTER_DEFAULT_PROJECT_NAME ? null : trimmed;
}

/** The project's name from its config.json (read once, at start); null when unset, Task Master's default, or unreadable. */
export function readConfiguredProjectName(paths: ProjectPaths): string | null {
  try {
    return configuredProjectName(JSON.parse(readFileSync(paths.configFile, "utf8")));
  } catch {
    return null;
  }
}

/** Attempts before a file that does not parse is reported (Task Master may be mid-write by other means than rename). */
const PARSE_ATTEMPTS = 5;
const PARSE_RETRY_DELAY_MS = 40;

/** The parsed file, or null when it does not exist (yet). Retries a read that does not parse. */
export async function readJsonFile(file: string): Promise<unknown> {
  let lastError = "";
  for (let attempt = 1; attempt <= PARSE_ATTEMPTS; attempt++) {
    let body: string;
    try {
      body = await readFile(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw error;
    }
    try {
      return JSON.parse(body);
    } catch (error) {
      lastError = (error as Error).message;
      await new Promise((r) => setTimeout(r, PARSE_RETRY_DELAY_MS));
    }
  }
  throw new UnreadableFileError(file, lastError);
}

/** A cheap fingerprint of a file (for the poll that backs up the folder watchers). */
export async function fileSignature(file: string): Promise<string> {
  try {
    const s = await stat(file);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return "absent";
  }
}
