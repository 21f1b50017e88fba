/** Where a Task Master project keeps its files, and reading them safely while Task Master writes. */
import { readFile, stat } from "node:fs/promises";
import { statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";

export interface ProjectPaths {
  readonly root: string;
  readonly taskmasterDir: string;
  readonly tasksDir: string;
  readonly tasksFile: string;
  readonly stateFile: string;
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

export function projectPaths(root: string): ProjectPaths {
  const taskmasterDir = join(root, ".taskmaster");
  const tasksDir = join(taskmasterDir, "tasks");
  return { root, taskmasterDir, tasksDir, tasksFile: join(tasksDir, "tasks.json"), stateFile: join(taskmasterDir, "state.json") };
}

const isDir = (path: string) => {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
};

/** The nearest folder at or above `dir` holding `.taskmaster/`, as Task Master itself looks. */
export function findProject(dir: string): ProjectPaths {
  let current = resolve(dir);
  for (;;) {
    if (isDir(join(current, ".taskmaster"))) return projectPaths(current);
    const parent = dirname(current);
    if (parent === current) throw new ProjectNotFoundError(resolve(dir));
    current = parent;
  }
}

export function projectFolderName(paths: ProjectPaths): string {
  return basename(paths.root);
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
