/** `taskmaster-live <command>`: dispatch, and one place that turns known errors into plain messages and exit codes. */
import { AgentReportError } from "../agent/report-agent-status.ts";
import { ConfigError } from "../config.ts";
import { ProjectConfigError } from "../project-config/project-config.ts";
import { InstanceLockedError } from "../files/instance-lock.ts";
import { ProjectNotFoundError } from "../taskmaster/project-files.ts";
import { AGENT_HELP, agentCommand } from "./agent-command.ts";
import { BRIDGE_HELP, bridgeCommand } from "./bridge-command.ts";
import { UsageError } from "./cli-support.ts";
import { DEMO_HELP, demoCommand } from "./demo-command.ts";
import { HOOK_HELP, hookCommand } from "./hook-command.ts";
import { MCP_HELP, mcpCommand } from "./mcp-command.ts";
import { cliVersion } from "./version.ts";

const MAIN_HELP = `usage: taskmaster-live <command> [options]

Puts a Task Master project live on a taskmaster-live dashboard.

commands:
  bridge    follow a Task Master project and send its changes to the hub
  agent     report an agent's status (busy, idle, …) to the hub
  demo      feed a simulated project to the hub (what \`npm start\` shows)
  hook      Claude Code hooks: install them, or run one (agents report themselves)
  mcp       an MCP server on stdio with report_status, report_progress and whoami

--version prints the version.

Run \`taskmaster-live <command> --help\` for its options.`;

const COMMANDS: Record<string, { run: (args: string[]) => Promise<number>; help: string }> = {
  bridge: { run: bridgeCommand, help: BRIDGE_HELP },
  agent: { run: agentCommand, help: AGENT_HELP },
  demo: { run: demoCommand, help: DEMO_HELP },
  hook: { run: hookCommand, help: HOOK_HELP },
  mcp: { run: mcpCommand, help: MCP_HELP },
};

/** Runs a command; resolves with the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(MAIN_HELP);
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-v") {
    console.log(cliVersion());
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`taskmaster-live: unknown command "${name}"\n\n${MAIN_HELP}`);
    return 2;
  }
  try {
    return await command.run(args);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`taskmaster-live ${name}: ${error.message}\n\n${command.help}`);
      return 2;
    }
    if (error instanceof ProjectNotFoundError || error instanceof ConfigError || error instanceof InstanceLockedError || error instanceof AgentReportError || error instanceof ProjectConfigError) {
      console.error(`taskmaster-live ${name}: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
