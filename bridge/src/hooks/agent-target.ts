/**
 * Where a project's agents report: the hub and channel from the environment
 * (`TASKMASTER_LIVE_HUB`, `TASKMASTER_LIVE_CHANNEL`) or else the project's
 * `.taskmaster-live/config.json`, the credential from `findSenderCredential`. Shared
 * by the hooks and the MCP server.
 */
import { join } from "node:path";
import { checkChannel, checkHubUrl } from "../config.ts";
import { channelFromEnv, hubFromEnv } from "../project-config/env-defaults.ts";
import { findProjectConfig, STATE_FOLDER } from "../project-config/project-config.ts";
import { findSenderCredential } from "../secrets/sender-secret.ts";
import { channelKeyOf, type SenderCredential } from "../sender-key.ts";

export interface AgentTarget {
  /** The project folder (holding `.taskmaster-live/`). */
  readonly root: string;
  readonly hub: string;
  readonly channel: string;
  /** `<root>/.taskmaster-live/<channel>`: the report queue, sessions, dead letters (the bridge's folder for this channel). */
  readonly stateDir: string;
  /** Null: reports wait in the queue for a sender that has one (a running bridge). */
  readonly secret: SenderCredential | null;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** The target for an agent working in `dir`, or null when neither the environment nor a project config names one. */
export function findAgentTarget(dir: string, env: Env): AgentTarget | null {
  const found = findProjectConfig(dir);
  const hub = hubFromEnv(env) ?? found?.config.hub;
  const channel = channelFromEnv(env) ?? found?.config.channel;
  if (!hub || !channel) return null;
  const root = found?.root ?? dir;
  return {
    root,
    hub: checkHubUrl(hub),
    channel: checkChannel(channel),
    stateDir: join(root, STATE_FOLDER, channel),
    secret: findSenderCredential({ env, projectRoot: root, ...(found?.config.secretFile ? { secretFile: found.config.secretFile } : {}) }),
  };
}

export async function signingKey(target: AgentTarget): Promise<string | null> {
  return target.secret ? channelKeyOf(target.secret, target.channel) : null;
}
