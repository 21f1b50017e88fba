import type { Env } from "../env.ts";

export const DIRECTORY_NAME = "directory";

/** The Durable Object of a channel: one per name, wherever the request lands. */
export function channelStub(env: Env, channel: string) {
  return env.CHANNEL.get(env.CHANNEL.idFromName(channel));
}

export function directoryStub(env: Env) {
  return env.DIRECTORY.get(env.DIRECTORY.idFromName(DIRECTORY_NAME));
}
