/** Small helpers shared by the commands: argument parsing with usage on error, numbers, signals. */
import { parseArgs, type ParseArgsConfig } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** How every sending command finds its key; flags show in `ps`, so the environment or a file is the way. */
export const SENDER_KEY_HELP = `key: the channel's key signs every request. First found: --key-file, --secret,
  $TASKMASTER_LIVE_KEY (the channel's key, hex or whsec_…), $TASKMASTER_LIVE_KEY_FILE
  (a file holding it), $WEBHOOK_SECRET (the hub's root secret: the channel's key is
  derived from it). \`npm run channel-key -- <channel>\` prints a channel's key.`;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Parses `args` strictly; unknown options and stray words are usage errors. */
export function parseCommand<O extends Options>(args: string[], options: O) {
  try {
    return parseArgs({ args, options: { ...options, help: { type: "boolean", short: "h" } }, strict: true, allowPositionals: false }).values as unknown as Record<keyof O | "help", string | boolean | undefined>;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function str(value: string | boolean | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** Options that each take one string, for `parseCommand`. */
export function stringFlags<F extends string>(...flags: F[]): Record<F, { type: "string" }> {
  return Object.fromEntries(flags.map((flag) => [flag, { type: "string" }])) as Record<F, { type: "string" }>;
}

/**
 * The string options that were given (and not empty), under the names an API
 * takes (`{ agentId: "agent-id" }`), ready to spread: an option left out stays
 * absent, so the API's own default applies.
 */
export function givenStrings<F extends string, K extends string>(values: Readonly<Record<F, string | boolean | undefined>>, names: Readonly<Record<K, F>>): { [P in K]?: string } {
  const given: { [P in K]?: string } = {};
  for (const [key, flag] of Object.entries(names) as [K, F][]) {
    const value = str(values[flag]);
    if (value) given[key] = value;
  }
  return given;
}

/** A non-negative number of seconds → ms. */
export function secondsOption(value: string | boolean | undefined, name: string, fallbackMs: number): number {
  if (typeof value !== "string") return fallbackMs;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name} must be a number of seconds ≥ 0, not "${value}"`);
  return Math.round(n * 1000);
}

/** Resolves on the first SIGINT or SIGTERM; a second one exits at once. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let received = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (received) process.exit(130);
      received = true;
      resolve(signal);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}
