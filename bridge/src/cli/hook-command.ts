/** `taskmaster-live hook …`: agents that report themselves through their own hooks (Claude Code). */
import { existsSync } from "node:fs";
import { dirname, join, parse } from "node:path";
import { DEFAULT_HUB_URL } from "../config.ts";
import { findAgentTarget } from "../hooks/agent-target.ts";
import { appendHookLog, hookLogOf } from "../hooks/hook-log.ts";
import { applyInstall, planInstall, printableEntries } from "../hooks/install-claude-code.ts";
import { flushReports } from "../hooks/report-sender.ts";
import { runClaudeCodeHook } from "../hooks/run-claude-code-hook.ts";
import { STATE_FOLDER } from "../project-config/project-config.ts";
import { parseCommand, str, stringFlags, UsageError } from "./cli-support.ts";

export const HOOK_HELP = `usage: taskmaster-live hook claude-code              (run by Claude Code: the hook payload on stdin)
       taskmaster-live hook install claude-code [options]
       taskmaster-live hook flush [--dir <project>]

Claude Code reports itself on the dashboard: online when a session starts,
busy on each prompt and tool use (the tool as the detail), idle when it stops
or waits for you, offline when the session ends. A Task Master call
(set_task_status in-progress, get_task, next_task, or task-master set-status /
show in a shell) makes that task the session's current task; done clears it.

The hook posts at once when the hub answers within ${400} ms; otherwise the
report waits in <project>/${STATE_FOLDER}/<channel>/reports/ for the next hook
call, \`hook flush\` or a running bridge, and is delivered in order. It always
exits 0 and prints nothing; problems go to <project>/${STATE_FOLDER}/hook.log.

install options:
  --dir <path>           the project (default: the current folder)
  --hub <url>            the hub (default: $TASKMASTER_LIVE_HUB, the recorded one, or ${DEFAULT_HUB_URL})
  --channel <name>       the channel (default: $TASKMASTER_LIVE_CHANNEL, the recorded one, or the folder name)
  --secret-file <path>   a file outside the project with the sender key, or a dotenv file
                         with TASKMASTER_LIVE_KEY= or WEBHOOK_SECRET= (e.g. the hub's .dev.vars)
  --command <cmd>        the command the hooks run (default: this node and this CLI, by absolute path)
  --print                print the hook entries and the config; write nothing
  -h, --help             show this help

The secret comes from TASKMASTER_LIVE_KEY, TASKMASTER_LIVE_KEY_FILE,
WEBHOOK_SECRET, or the secret file; never from the command line.`;

const STDIN_LIMIT_BYTES = 8 * 1024 * 1024;
const STDIN_TIMEOUT_MS = 2000;

export async function hookCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "claude-code") return claudeCodeHook();
  if (sub === "install") return installCommand(rest);
  if (sub === "flush") return flushCommand(rest);
  if (sub === "--help" || sub === "-h") {
    console.log(HOOK_HELP);
    return 0;
  }
  throw new UsageError(sub === undefined ? "say which: claude-code, install or flush" : `unknown hook command "${sub}"`);
}

/** Exit 0 whatever happens, nothing on stdout: Claude Code reads stdout as the hook's answer. */
async function claudeCodeHook(): Promise<number> {
  const cwd = process.cwd();
  try {
    const result = await runClaudeCodeHook(await readStdin(), { env: process.env, cwd });
    const logFile = result.target ? hookLogOf(result.target.root) : nearestStateLog(cwd);
    if (result.kind === "problem" && logFile) await appendHookLog(logFile, result.why);
    if (result.kind === "sent" && result.outcome.kind !== "delivered" && logFile) await appendHookLog(logFile, `${result.agentId} ${result.report.status}: ${result.outcome.kind}: ${result.outcome.reason}`);
  } catch (error) {
    const logFile = nearestStateLog(cwd);
    if (logFile) await appendHookLog(logFile, `hook failed: ${(error as Error).stack ?? String(error)}`).catch(() => {});
  }
  return 0;
}

/** The hook log of the nearest folder with a `.taskmaster-live/`, for failures before the project is known. */
function nearestStateLog(dir: string): string | null {
  const top = parse(dir).root;
  for (let folder = dir; ; folder = dirname(folder)) {
    if (existsSync(join(folder, STATE_FOLDER))) return hookLogOf(folder);
    if (folder === top) return null;
  }
}

function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return Promise.resolve("");
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    const done = () => {
      clearTimeout(timer);
      process.stdin.pause();
      resolve(Buffer.concat(chunks).toString("utf8"));
    };
    const timer = setTimeout(done, STDIN_TIMEOUT_MS);
    process.stdin.on("data", (chunk: Buffer) => {
      if (bytes < STDIN_LIMIT_BYTES) chunks.push(chunk);
      bytes += chunk.length;
    });
    process.stdin.once("end", done);
    process.stdin.once("error", done);
  });
}

async function installCommand(args: string[]): Promise<number> {
  const [agent, ...rest] = args;
  if (agent === "--help" || agent === "-h") {
    console.log(HOOK_HELP);
    return 0;
  }
  if (agent !== "claude-code") throw new UsageError(agent === undefined ? "say which agent: hook install claude-code" : `no hooks for "${agent}" (there are: claude-code)`);
  const o = parseCommand(rest, { ...stringFlags("dir", "hub", "channel", "secret-file", "command"), print: { type: "boolean" } });
  if (o.help) {
    console.log(HOOK_HELP);
    return 0;
  }
  const given = (name: "hub" | "channel" | "secret-file" | "command") => str(o[name]);
  const plan = planInstall({
    dir: str(o.dir) ?? process.cwd(),
    env: process.env,
    ...(given("hub") ? { hub: given("hub")! } : {}),
    ...(given("channel") ? { channel: given("channel")! } : {}),
    ...(given("secret-file") ? { secretFile: given("secret-file")! } : {}),
    ...(given("command") ? { command: given("command")! } : {}),
  });
  if (o.print) {
    console.log(`${printableEntries(plan.command)}\n\n${plan.configFile}:\n${JSON.stringify(plan.config, null, 2)}`);
    return 0;
  }
  await applyInstall(plan);
  console.log(
    [
      `Claude Code in ${plan.root} now reports to ${plan.config.hub} (channel ${plan.config.channel}).`,
      `  hooks:  ${plan.settingsFile} (${plan.settingsChanged ? "updated" : "already up to date"})`,
      `  config: ${plan.configFile} (git-ignored)`,
      plan.config.secretFile ? `  secret: read from ${plan.config.secretFile}` : `  secret: set TASKMASTER_LIVE_KEY or WEBHOOK_SECRET where Claude Code runs, or install again with --secret-file`,
    ].join("\n"),
  );
  return 0;
}

async function flushCommand(args: string[]): Promise<number> {
  const o = parseCommand(args, stringFlags("dir"));
  if (o.help) {
    console.log(HOOK_HELP);
    return 0;
  }
  const dir = str(o.dir) ?? process.cwd();
  const target = findAgentTarget(dir, process.env);
  if (!target) throw new UsageError(`no ${STATE_FOLDER}/config.json at or above ${dir}: run hook install first, or set TASKMASTER_LIVE_HUB and TASKMASTER_LIVE_CHANNEL`);
  const result = await flushReports(target, { timeoutMs: 10_000 });
  console.log(`${result.delivered} report(s) delivered, ${result.left} waiting${result.problem ? ` (${result.problem})` : ""}`);
  return result.left === 0 ? 0 : 1;
}
