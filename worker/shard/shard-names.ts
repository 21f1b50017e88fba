/**
 * How the Worker and the channel's object reach a viewer shard: shard k of
 * channel c is the ViewerShard object named `c#k` ('#' is not allowed in a
 * channel name, so the names never collide). The object refers an upgrade
 * to a shard with a header the Worker's socket route follows.
 */
/** Set by the channel's object on its answer to a forwarded upgrade: "send it to shard k". */
export const SHARD_HEADER = "x-hub-viewer-shard";

export function shardName(channel: string, shard: number): string {
  return `${channel}#${shard}`;
}

/** The channel and shard number of a shard's name, or null. */
export function parseShardName(name: string): { channel: string; shard: number } | null {
  const m = /^(.+)#([1-9]\d{0,5})$/.exec(name);
  return m ? { channel: m[1]!, shard: Number(m[2]) } : null;
}
