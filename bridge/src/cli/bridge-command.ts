/** `taskmaster-live bridge`: follow a Task Master project and keep a hub channel in step with it. */
import { createBridge, DEFAULT_HEALTH_INTERVAL_MS, DEFAULT_HEARTBEAT_INTERVAL_MS } from "../bridge.ts";
import { DEFAULT_HUB_URL } from "../config.ts";
import { BRIDGE_BACKOFF } from "../delivery/delivery-loop.ts";
import { consoleLogger } from "../log.ts";
import { SENDER_KEY_HELP, givenStrings, parseCommand, secondsOption, stringFlags, untilSignal } from "./cli-support.ts";

export const BRIDGE_HELP = `usage: taskmaster-live bridge [options]

Watches a Task Master project (.taskmaster/tasks/tasks.json, every tag,
.taskmaster/state.json and the complexity reports in .taskmaster/reports/) and
sends every change to the hub as signed webhooks. On start it prints the
channel and the dashboard URL, and makes the hub's copy of the project equal
to the files (tasks and tags the files no longer have are removed).
Changes wait in <project>/.taskmaster-live/<channel>/outbox/ until the hub
acknowledges them, so nothing is lost while the hub is down or the bridge stops.

options:
  --dir <path>               the Task Master project (default: the current folder)
  --file <path>              a custom tasks file, as task-master's --file (default: .taskmaster/tasks/tasks.json)
  --hub <url>                the hub's base URL (default: $TASKMASTER_LIVE_HUB, else ${DEFAULT_HUB_URL})
  --channel <name>           the channel (default: $TASKMASTER_LIVE_CHANNEL, else the project's name made channel-safe)
  --key-file <path>          a file holding the channel's key (see key, below)
  --secret <secret>          the hub's root secret (kept for old scripts: shows in ps)
  --name <name>              the project's name on the dashboard (default: .taskmaster/config.json's
                             global.projectName unless it is "Task Master", else the folder name)
  --agent-id <id>            the bridge's own agent id (default: taskmaster-live@<host>)
  --heartbeat-seconds <n>    agent heartbeat interval, 0 = off (default: ${DEFAULT_HEARTBEAT_INTERVAL_MS / 1000})
  --health-seconds <n>       host health sample interval, 0 = off (default: ${DEFAULT_HEALTH_INTERVAL_MS / 1000})
  --max-retry-seconds <n>    longest wait between retries while the hub is down (default: ${BRIDGE_BACKOFF.capMs / 1000})
  --once                     send what changed, wait until delivered, and exit (1 if not delivered in 60 s)
  --verbose                  log every delivery
  -h, --help                 show this help

${SENDER_KEY_HELP}

Stop with Ctrl-C: the bridge reports itself offline and delivers what it can.`;

const ONCE_TIMEOUT_MS = 60_000;

export async function bridgeCommand(args: string[]): Promise<number> {
  const o = parseCommand(args, {
    ...stringFlags("dir", "file", "hub", "channel", "secret", "key-file", "name", "agent-id", "heartbeat-seconds", "health-seconds", "max-retry-seconds"),
    once: { type: "boolean" },
    verbose: { type: "boolean" },
  });
  if (o.help) {
    console.log(BRIDGE_HELP);
    return 0;
  }
  const maxRetryMs = Math.max(secondsOption(o["max-retry-seconds"], "max-retry-seconds", BRIDGE_BACKOFF.capMs), 1);
  const baseRetryMs = Math.min(BRIDGE_BACKOFF.baseMs, maxRetryMs);
  const bridge = createBridge({
    ...givenStrings(o, { dir: "dir", file: "file", hub: "hub", channel: "channel", secret: "secret", keyFile: "key-file", name: "name", agentId: "agent-id" }),
    heartbeatIntervalMs: secondsOption(o["heartbeat-seconds"], "heartbeat-seconds", DEFAULT_HEARTBEAT_INTERVAL_MS),
    healthIntervalMs: secondsOption(o["health-seconds"], "health-seconds", DEFAULT_HEALTH_INTERVAL_MS),
    backoff: { baseMs: baseRetryMs, capMs: maxRetryMs, floorMs: baseRetryMs },
    log: consoleLogger({ debug: o.verbose === true }),
  });
  const stopping = untilSignal();
  await bridge.start();
  if (o.once) {
    const delivered = await bridge.flush(ONCE_TIMEOUT_MS);
    await bridge.stop();
    return delivered ? 0 : 1;
  }
  // The watchers and the poll do not hold the process open (they are unref'd for library use), and with
  // heartbeats and health samples off nothing else may: without this the bridge would exit once idle.
  const keepAlive = setInterval(() => {}, 60_000);
  await stopping;
  clearInterval(keepAlive);
  await bridge.stop();
  return 0;
}
