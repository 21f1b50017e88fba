/**
 * Tells when tasks.json, state.json or a complexity report may have changed.
 *
 * Task Master writes `.tasks.json.tmp` then renames it over tasks.json
 * (holding a `tasks.json.lock` folder), sometimes twice within ~15 ms. A
 * watcher on the file itself follows the old inode and goes deaf after the
 * first rename, so we watch the folders, keep only the two names we care
 * about, and debounce. A slow poll of the files' fingerprints backs the
 * watchers up (a folder created later, an editor, a platform that drops events).
 * Complexity reports are written in place in `.taskmaster/reports/`; that
 * folder is watched too.
 */
import { watch, type FSWatcher } from "node:fs";
import { readdir } from "node:fs/promises";
import { basename, join } from "node:path";
import { isComplexityReportFileName } from "./complexity-reports.ts";
import { fileSignature, type ProjectPaths } from "./project-files.ts";

export interface FolderWatcherOptions {
  /** Quiet time after the last relevant event before `onChange` runs. */
  debounceMs?: number;
  /** How often the fallback poll compares the files' fingerprints. */
  pollIntervalMs?: number;
}

const DEFAULT_DEBOUNCE_MS = 60;
const DEFAULT_POLL_INTERVAL_MS = 1000;

/** True for the names that mean "re-read"; false for locks, temp files and everything else. */
export function isRelevantFileName(name: string | null, tasksFileName = "tasks.json"): boolean {
  // Some platforms give no name: re-reading is cheap, missing a change is not.
  if (name === null) return true;
  const file = basename(name);
  return file === tasksFileName || file === "state.json" || isComplexityReportFileName(file);
}

export class FolderWatcher {
  readonly #paths: ProjectPaths;
  readonly #onChange: () => void;
  readonly #debounceMs: number;
  readonly #watchers = new Map<string, FSWatcher>();
  #debounce: NodeJS.Timeout | null = null;
  #poll: NodeJS.Timeout | null = null;
  #signatures = "";
  #closed = false;

  constructor(paths: ProjectPaths, onChange: () => void, options: FolderWatcherOptions = {}) {
    this.#paths = paths;
    this.#onChange = onChange;
    this.#debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
    const pollMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.#attach();
    void this.#fingerprint().then((s) => {
      this.#signatures = s;
    });
    this.#poll = setInterval(() => void this.#pollOnce(), pollMs);
    this.#poll.unref();
  }

  close(): void {
    this.#closed = true;
    if (this.#debounce) clearTimeout(this.#debounce);
    if (this.#poll) clearInterval(this.#poll);
    for (const w of this.#watchers.values()) w.close();
    this.#watchers.clear();
  }

  #attach(): void {
    for (const dir of this.#folders()) {
      if (this.#watchers.has(dir)) continue;
      try {
        const tasksFileName = basename(this.#paths.tasksFile);
        const watcher = watch(dir, { persistent: false }, (_event, name) => {
          if (isRelevantFileName(name === null ? null : String(name), tasksFileName)) this.#schedule();
        });
        // The folder was removed or became unreadable: drop it and let the poll re-attach.
        watcher.on("error", () => {
          watcher.close();
          this.#watchers.delete(dir);
        });
        this.#watchers.set(dir, watcher);
      } catch {
        // Not there yet (tasks/ appears with the first task): the poll retries.
      }
    }
  }

  #folders(): Set<string> {
    return new Set([this.#paths.taskmasterDir, this.#paths.tasksDir, this.#paths.reportsDir]);
  }

  #schedule(): void {
    if (this.#closed) return;
    if (this.#debounce) clearTimeout(this.#debounce);
    this.#debounce = setTimeout(() => {
      this.#debounce = null;
      if (!this.#closed) this.#onChange();
    }, this.#debounceMs);
  }

  async #fingerprint(): Promise<string> {
    const reports = await readdir(this.#paths.reportsDir).catch(() => [] as string[]);
    const files = [this.#paths.tasksFile, this.#paths.stateFile, ...reports.filter(isComplexityReportFileName).sort().map((n) => join(this.#paths.reportsDir, n))];
    return (await Promise.all(files.map(fileSignature))).join("|");
  }

  async #pollOnce(): Promise<void> {
    if (this.#closed) return;
    if (this.#watchers.size < this.#folders().size) this.#attach();
    const now = await this.#fingerprint();
    if (now !== this.#signatures) {
      this.#signatures = now;
      this.#schedule();
    }
  }
}
