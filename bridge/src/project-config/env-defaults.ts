/**
 * Configuration by environment, for every command: `TASKMASTER_LIVE_HUB`
 * and `TASKMASTER_LIVE_CHANNEL` stand in for --hub and --channel (a flag
 * given wins). Empty values count as unset.
 */
export const HUB_ENV = "TASKMASTER_LIVE_HUB";
export const CHANNEL_ENV = "TASKMASTER_LIVE_CHANNEL";

type Env = Readonly<Record<string, string | undefined>>;

export const hubFromEnv = (env: Env = process.env): string | undefined => env[HUB_ENV] || undefined;
export const channelFromEnv = (env: Env = process.env): string | undefined => env[CHANNEL_ENV] || undefined;
