/** `taskmaster-live agent`: report one agent's status, for agents that work on Task Master tasks. */
import { basename } from "node:path";
import { AGENT_STATUSES, type AgentStatus } from "../../../protocol/index.ts";
import { reportAgentStatus } from "../agent/report-agent-status.ts";
import { channelFromFolderName, ConfigError, DEFAULT_HUB_URL } from "../config.ts";
import { channelFromEnv } from "../project-config/env-defaults.ts";
import { findProject, ProjectNotFoundError } from "../taskmaster/project-files.ts";
import { defaultChannelOf, projectIdentity } from "../taskmaster/project-identity.ts";
import { SENDER_KEY_HELP, givenStrings, parseCommand, str, stringFlags, UsageError } from "./cli-support.ts";

export const AGENT_HELP = `usage: taskmaster-live agent --id <id> --status <status> [options]

Tells the dashboard what an agent is doing.

options:
  --id <id>            the agent's id, e.g. coder-1 (required)
  --status <status>    one of ${AGENT_STATUSES.join(", ")} (required)
  --task <id>          the task it works on, e.g. 5 or 5.2 (omit: none)
  --name <name>        a display name
  --detail <text>      what it is doing, in a few words
  --hub <url>          the hub's base URL (default: $TASKMASTER_LIVE_HUB, else ${DEFAULT_HUB_URL})
  --channel <name>     the channel (default: $TASKMASTER_LIVE_CHANNEL, else the Task Master project's name, as the bridge's)
  --key-file <path>    a file holding the channel's key (see key, below)
  --secret <secret>    the hub's root secret (kept for old scripts: shows in ps)
  -h, --help           show this help

${SENDER_KEY_HELP}

example:
  taskmaster-live agent --id coder-1 --status busy --task 5.2 --detail "writing tests"`;

export async function agentCommand(args: string[]): Promise<number> {
  const o = parseCommand(args, stringFlags("id", "status", "task", "name", "detail", "hub", "channel", "secret", "key-file"));
  if (o.help) {
    console.log(AGENT_HELP);
    return 0;
  }
  const agentId = str(o.id);
  const status = str(o.status);
  if (!agentId) throw new UsageError("--id is required");
  if (!status || !(AGENT_STATUSES as readonly string[]).includes(status)) throw new UsageError(`--status must be one of ${AGENT_STATUSES.join(", ")}`);
  const channel = str(o.channel) ?? channelFromEnv() ?? defaultChannel();
  const task = str(o.task);
  const result = await reportAgentStatus({
    agentId,
    status: status as AgentStatus,
    channel,
    ...(task ? { taskId: task } : {}),
    ...givenStrings(o, { name: "name", detail: "detail", hub: "hub", secret: "secret", keyFile: "key-file" }),
  });
  const what = result.duplicates > 0 ? "already reported" : result.stale > 0 ? "ignored as older than the hub's last report" : "reported";
  console.log(`agent ${agentId} is ${status}${task ? ` on task ${task}` : ""} (channel ${channel}): ${what}`);
  return 0;
}

/** Like the bridge: the Task Master project's name (config.json, else its folder name), else the current folder's. */
function defaultChannel(): string {
  try {
    return defaultChannelOf(projectIdentity(findProject(process.cwd())));
  } catch (error) {
    if (!(error instanceof ProjectNotFoundError)) throw error;
  }
  const folder = basename(process.cwd());
  const channel = channelFromFolderName(folder);
  if (!channel) throw new ConfigError(`the folder name "${folder}" does not make a channel name: pass --channel`);
  return channel;
}
