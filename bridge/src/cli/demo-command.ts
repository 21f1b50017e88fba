/** `taskmaster-live demo`: a simulated project, live on the dashboard, until stopped. */
import { DEFAULT_HUB_URL, DEMO_CHANNEL } from "../config.ts";
import { DEFAULT_DEMO_HEALTH_INTERVAL_MS, DEFAULT_DEMO_TICK_MS, startDemoFeed } from "../demo/demo-feed.ts";
import { SENDER_KEY_HELP, givenStrings, parseCommand, secondsOption, stringFlags, untilSignal } from "./cli-support.ts";

export const DEMO_HELP = `usage: taskmaster-live demo [options]

Feeds a simulated Task Master project to the hub: three agents pick up tasks,
finish subtasks, go busy and idle; health samples every few seconds. Runs
until stopped (Ctrl-C) and rides out hub restarts. \`npm start\` runs it.

options:
  --hub <url>              the hub's base URL (default: ${DEFAULT_HUB_URL})
  --channel <name>         the channel (default: ${DEMO_CHANNEL})
  --key-file <path>        a file holding the channel's key (see key, below)
  --secret <secret>        the hub's root secret (kept for old scripts: shows in ps)
  --tick-seconds <n>       one simulation step every n seconds (default: ${DEFAULT_DEMO_TICK_MS / 1000})
  --health-seconds <n>     health samples every n seconds (default: ${DEFAULT_DEMO_HEALTH_INTERVAL_MS / 1000})
  -h, --help               show this help

${SENDER_KEY_HELP}`;

export async function demoCommand(args: string[]): Promise<number> {
  const o = parseCommand(args, stringFlags("hub", "channel", "secret", "key-file", "tick-seconds", "health-seconds"));
  if (o.help) {
    console.log(DEMO_HELP);
    return 0;
  }
  const feed = startDemoFeed({
    ...givenStrings(o, { hub: "hub", channel: "channel", secret: "secret", keyFile: "key-file" }),
    tickMs: Math.max(100, secondsOption(o["tick-seconds"], "tick-seconds", DEFAULT_DEMO_TICK_MS)),
    healthIntervalMs: Math.max(100, secondsOption(o["health-seconds"], "health-seconds", DEFAULT_DEMO_HEALTH_INTERVAL_MS)),
  });
  await untilSignal();
  await feed.stop();
  return 0;
}
