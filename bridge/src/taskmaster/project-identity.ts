/**
 * A project's name and default channel: `.taskmaster/config.json`'s
 * `global.projectName` when the user set one (not Task Master's default
 * "Task Master"), else the folder name. The bridge and `agent` use the same
 * rule, so an agent reports to the channel the bridge feeds.
 */
import { channelFromFolderName, ConfigError } from "../config.ts";
import { projectFolderName, readConfiguredProjectName, type ProjectPaths } from "./project-files.ts";

export interface ProjectIdentity {
  /** The project's name on the dashboard. */
  readonly name: string;
  /** The default channel: the name made channel-safe ("My App" → "my-app"). */
  readonly channel: string | null;
}

/** The default channel, or a ConfigError that says to pass --channel. */
export function defaultChannelOf(identity: ProjectIdentity): string {
  if (!identity.channel) throw new ConfigError(`the project name "${identity.name}" does not make a channel name: pass --channel`);
  return identity.channel;
}

export function projectIdentity(paths: ProjectPaths): ProjectIdentity {
  const folder = projectFolderName(paths);
  const configured = readConfiguredProjectName(paths);
  // A configured name with nothing channel-safe in it (all symbols) falls back to the folder's.
  const channel = (configured && channelFromFolderName(configured)) ?? channelFromFolderName(folder);
  return { name: configured ?? folder, channel };
}
