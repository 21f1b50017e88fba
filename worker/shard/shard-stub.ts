/** How the Worker and the channel's object reach viewer shard k of a channel. */
import type { Env } from "../env.ts";
import { shardName } from "./shard-names.ts";

export function shardStub(env: Env, channel: string, shard: number) {
  return env.VIEWER_SHARD.get(env.VIEWER_SHARD.idFromName(shardName(channel, shard)));
}
