/**
 * `<project>/.taskmaster-live/config.json`: where a project's agents report,
 * recorded once by `hook install` so that hooks and the MCP server need no
 * environment. The folder is git-ignored (it holds this machine's outbox and
 * logs), and the file never holds a secret, only the path of a secret file
 * outside the project.
 */
import { existsSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, parse } from "node:path";
import * as v from "valibot";
import { CHANNEL_NAME_RULE, isChannelName } from "../../../protocol/index.ts";

export const STATE_FOLDER = ".taskmaster-live";
export const CONFIG_FILE = "config.json";

const ProjectConfigSchema = v.object({
  hub: v.pipe(v.string(), v.url("hub must be a URL")),
  channel: v.pipe(v.string(), v.check((name: string) => isChannelName(name), CHANNEL_NAME_RULE)),
  /** A file outside the project holding the sender key, or a dotenv file with TASKMASTER_LIVE_KEY or WEBHOOK_SECRET. */
  secretFile: v.optional(v.string()),
});

export type ProjectConfig = v.InferOutput<typeof ProjectConfigSchema>;

export interface FoundConfig {
  /** The folder holding `.taskmaster-live/`. */
  readonly root: string;
  readonly config: ProjectConfig;
}

export class ProjectConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProjectConfigError";
  }
}

export const configFileOf = (root: string) => join(root, STATE_FOLDER, CONFIG_FILE);

/** The nearest `.taskmaster-live/config.json` at or above `dir`, or null. Throws ProjectConfigError if it is unreadable. */
export function findProjectConfig(dir: string): FoundConfig | null {
  const top = parse(dir).root;
  for (let folder = dir; ; folder = dirname(folder)) {
    const file = configFileOf(folder);
    if (existsSync(file)) return { root: folder, config: readProjectConfig(file) };
    if (folder === top) return null;
  }
}

export function readProjectConfig(file: string): ProjectConfig {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ProjectConfigError(`${file} is not readable JSON: ${(error as Error).message}`);
  }
  const parsed = v.safeParse(ProjectConfigSchema, json);
  if (!parsed.success) throw new ProjectConfigError(`${file}: ${parsed.issues.map((i) => `${v.getDotPath(i) ?? "(root)"} ${i.message}`).join("; ")}`);
  return parsed.output;
}

/** Writes the config and the folder's `.gitignore` (`*`: nothing in it is for a repository). */
export async function writeProjectConfig(root: string, config: ProjectConfig): Promise<string> {
  const folder = join(root, STATE_FOLDER);
  await mkdir(folder, { recursive: true });
  const ignore = join(folder, ".gitignore");
  if (!existsSync(ignore)) await writeFile(ignore, "*\n");
  const file = configFileOf(root);
  await writeFile(file, JSON.stringify(config, null, 2) + "\n");
  return file;
}
