/**
 * A hook must never disturb the agent's session: no output on stdout (Claude
 * Code reads it), exit 0. What went wrong goes to
 * `<project>/.taskmaster-live/hook.log`, which keeps at most about twice
 * MAX_LOG_BYTES (the file and one older `hook.log.1`).
 */
import { appendFile, rename, stat } from "node:fs/promises";
import { join } from "node:path";
import { STATE_FOLDER } from "../project-config/project-config.ts";

export const MAX_LOG_BYTES = 256 * 1024;

export const hookLogOf = (projectRoot: string) => join(projectRoot, STATE_FOLDER, "hook.log");

export async function appendHookLog(file: string, message: string, now = new Date()): Promise<void> {
  try {
    if ((await stat(file)).size > MAX_LOG_BYTES) await rename(file, `${file}.1`);
  } catch {
    // no log yet
  }
  await appendFile(file, `${now.toISOString()} ${message}\n`, "utf8");
}
