/** `taskmaster-live mcp`: the agents' MCP server on stdio. */
import { parseCommand, str, stringFlags } from "./cli-support.ts";

export const MCP_HELP = `usage: taskmaster-live mcp [options]

An MCP server on stdio, for any MCP client (Claude Code, Cursor, Windsurf,
Codex, …), with three tools:
  report_status    { status, task?, detail?, tag? }   the agent's status and task
  report_progress  { task, percent, message?, tag? }  how far a task is
  whoami           {}                                 agent id, hub, channel, last report

It reports where \`hook install\` recorded (<project>/.taskmaster-live/config.json),
or to $TASKMASTER_LIVE_HUB / $TASKMASTER_LIVE_CHANNEL; the secret comes from
TASKMASTER_LIVE_KEY, TASKMASTER_LIVE_KEY_FILE, WEBHOOK_SECRET or the config's
secret file. Reports the hub does not take at once wait in the project's
report queue.

options:
  --dir <path>        the project (default: the current folder)
  --agent-id <id>     the agent's id (default: $TASKMASTER_LIVE_AGENT_ID, or mcp-<client>:<random> per session)
  --name <name>       the agent's display name (default: "<client> · <project folder>")
  -h, --help          show this help`;

export async function mcpCommand(args: string[]): Promise<number> {
  const o = parseCommand(args, stringFlags("dir", "agent-id", "name"));
  if (o.help) {
    console.log(MCP_HELP);
    return 0;
  }
  // Loaded here: the SDK is large, and the hook (run on every tool use) must not pay for it.
  const { serveMcpOnStdio } = await import("../mcp/mcp-server.ts");
  const agentId = str(o["agent-id"]);
  const name = str(o.name);
  await serveMcpOnStdio({ dir: str(o.dir) ?? process.cwd(), env: process.env, ...(agentId ? { agentId } : {}), ...(name ? { name } : {}) });
  return 0;
}
