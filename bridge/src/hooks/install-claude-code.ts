/**
 * `hook install claude-code`: records where the project's agents report
 * (`.taskmaster-live/config.json`, git-ignored) and merges the hook entries
 * into `.claude/settings.local.json`. Idempotent.
 */
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { channelFromFolderName, checkChannel, checkHubUrl, ConfigError, DEFAULT_HUB_URL } from "../config.ts";
import { channelFromEnv, hubFromEnv } from "../project-config/env-defaults.ts";
import { configFileOf, readProjectConfig, writeProjectConfig, type ProjectConfig } from "../project-config/project-config.ts";
import { isInside } from "../secrets/sender-secret.ts";
import type { Env } from "./agent-target.ts";
import { formatSettings, hookEntries, mergeHookEntries, SettingsFileError, shellQuote } from "./claude-settings.ts";

export interface InstallOptions {
  readonly dir: string;
  readonly hub?: string;
  readonly channel?: string;
  readonly secretFile?: string;
  /** The command the hooks run (default: this node and this CLI's entry file, by absolute path). */
  readonly command?: string;
  readonly env: Env;
}

export interface InstallPlan {
  readonly root: string;
  readonly config: ProjectConfig;
  readonly configFile: string;
  readonly settingsFile: string;
  readonly command: string;
  /** The settings file's content after the merge. */
  readonly settings: string;
  readonly settingsChanged: boolean;
}

export const settingsFileOf = (root: string) => join(root, ".claude", "settings.local.json");

/** The default hook command: absolute paths, so it needs no PATH and no npx lookup (each costs a few hundred ms per tool use). */
export function defaultHookCommand(): string {
  const entry = realpathSync(process.argv[1] ?? "taskmaster-live");
  return `${shellQuote(process.execPath)} ${shellQuote(entry)} hook claude-code`;
}

export function planInstall(options: InstallOptions): InstallPlan {
  const root = resolve(options.dir);
  if (!existsSync(root)) throw new ConfigError(`--dir ${root} does not exist`);
  const configFile = configFileOf(root);
  const previous = existsSync(configFile) ? readProjectConfig(configFile) : null;
  const channel = options.channel ?? channelFromEnv(options.env) ?? previous?.channel ?? channelFromFolderName(basename(root));
  if (!channel) throw new ConfigError(`the folder name "${basename(root)}" does not make a channel name: pass --channel`);
  const secretFile = options.secretFile ? resolve(options.secretFile) : previous?.secretFile;
  if (secretFile && isInside(root, resolve(root, secretFile))) throw new ConfigError(`--secret-file ${secretFile} is inside the project: keep secrets outside it, where no commit can take them`);
  const config: ProjectConfig = {
    hub: checkHubUrl(options.hub ?? hubFromEnv(options.env) ?? previous?.hub ?? DEFAULT_HUB_URL),
    channel: checkChannel(channel),
    ...(secretFile ? { secretFile } : {}),
  };
  const command = options.command ?? defaultHookCommand();
  const settingsFile = settingsFileOf(root);
  const before = existsSync(settingsFile) ? readFileSync(settingsFile, "utf8") : null;
  let current: unknown = {};
  if (before !== null && before.trim() !== "") {
    try {
      current = JSON.parse(before);
    } catch (error) {
      throw new ConfigError(`${settingsFile} is not JSON (${(error as Error).message}): fix it, then install again`);
    }
  }
  let settings: string;
  try {
    settings = formatSettings(mergeHookEntries(current, command));
  } catch (error) {
    if (error instanceof SettingsFileError) throw new ConfigError(`${settingsFile}: ${error.message}`);
    throw error;
  }
  return { root, config, configFile, settingsFile, command, settings, settingsChanged: settings !== before };
}

export async function applyInstall(plan: InstallPlan): Promise<void> {
  await writeProjectConfig(plan.root, plan.config);
  if (!plan.settingsChanged) return;
  await mkdir(join(plan.root, ".claude"), { recursive: true });
  await writeFile(plan.settingsFile, plan.settings);
}

/** What `--print` shows: the hook entries, ready to paste into any Claude Code settings file. */
export const printableEntries = (command: string) => JSON.stringify({ hooks: hookEntries(command) }, null, 2);
