/** The task each Claude Code session works on, remembered between hook calls: `<stateDir>/sessions/<agent key>.json`. */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { makeFolderDurably, removeFileDurably, writeFileAtomic } from "../files/atomic-file.ts";
import type { SessionTask } from "./claude-code-hook.ts";

export class SessionTasks {
  readonly #folder: string;

  constructor(stateDir: string) {
    this.#folder = join(stateDir, "sessions");
  }

  #file(agentId: string): string {
    return join(this.#folder, `${agentId.replace(/[^A-Za-z0-9._-]/g, "_")}.json`);
  }

  async get(agentId: string): Promise<SessionTask | null> {
    try {
      const saved = JSON.parse(await readFile(this.#file(agentId), "utf8")) as Partial<SessionTask>;
      return typeof saved.taskId === "string" ? { taskId: saved.taskId, tag: typeof saved.tag === "string" ? saved.tag : null } : null;
    } catch {
      return null; // none yet, or a torn file from a killed call: the next task report sets it again
    }
  }

  async set(agentId: string, task: SessionTask | null): Promise<void> {
    if (task === null) return removeFileDurably(this.#file(agentId));
    await makeFolderDurably(this.#folder);
    await writeFileAtomic(this.#file(agentId), JSON.stringify(task));
  }
}
