/** `taskmaster-live agent`: report one agent's status, for agents that work on Task Master tasks. */
import { basename } from "node:path";
import { AGENT_STATUSES, type AgentStatus } from "../../../protocol/index.ts";
import { reportAgentStatus } from "../agent/report-agent-status.ts";
import { channelFromFolderName, ConfigError, DEFAULT_HUB_URL } from "../config.ts";
import { findProject, ProjectNotFoundError } from "../taskmaster/project-files.ts";
import { defaultChannelOf, projectIdentity } from "../taskmaster/project-identity.ts";
import { givenStrings, parseCommand, str, stringFlags, UsageError } from "./cli-support.ts";

export const AGENT_HELP = `usage: taskmaster-live agent --id <id> --status <status> [options]

Tells the dashboard what an agent is doing.

options:
  --id <id>            the agent's id, e.g. coder-1 (required)
  --status <status>    one of ${AGENT_STATUSES.join(", ")} (required)
  --task <id>          the task it works on, e.g. 5 or 5.2 (omit: none)
  --name <name>        a display name
  --detail <text>      what it is doing, in a few words
  --hub <url>          the hub's base URL (default: ${DEFAULT_HUB_URL})
  --channel <name>     the channel (default: the Task Master project's name, as the bridge's)
  --secret <secret>    the hub's webhook secret (default: $WEBHOOK_SECRET)
  -h, --help           show this help

example:
  taskmaster-live agent --id coder-1 --status busy --task 5.2 --detail "writing tests"`;

export async function agentCommand(args: string[]): Promise<number> {
  const o = parseCommand(args, stringFlags("id", "status", "task", "name", "detail", "hub", "channel", "secret"));
  if (o.help) {
    console.log(AGENT_HELP);
    return 0;
  }
  const agentId = str(o.id);
  const status = str(o.status);
  if (!agentId) throw new UsageError("--id is required");
  if (!status || !(AGENT_STATUSES as readonly string[]).includes(status)) throw new UsageError(`--status must be one of ${AGENT_STATUSES.join(", ")}`);
  const channel = str(o.channel) ?? defaultChannel();
  const task = str(o.task);
  const result = await reportAgentStatus({
    agentId,
    status: status as AgentStatus,
    channel,
    ...(task ? { taskId: task } : {}),
    ...givenStrings(o, { name: "name", detail: "detail", hub: "hub", secret: "secret" }),
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
