/** How the Worker reaches a channel's Durable Object: one per name, wherever the request lands. */
import type { Env } from "../env.ts";
import { SHARD_HEADER } from "../shard/shard-names.ts";
import { shardStub } from "../shard/shard-stub.ts";

/**
 * Header the Worker adds when it forwards an authenticated upgrade: the ticket's expiry
 * (unix seconds), after which the object closes the socket unless the viewer renews it.
 */
export const FORWARD_HEADER_TICKET_EXP = "x-hub-ticket-exp";

export function channelStub(env: Env, channel: string) {
  return env.CHANNEL.get(env.CHANNEL.idFromName(channel));
}

/**
 * Hands an authorized WebSocket upgrade to the channel's object, or to the viewer shard the object names
 * when it already holds SHARD_SIZE sockets (README "Viewer shards").
 */
export async function forwardSocket(env: Env, channel: string, upgrade: Request, ticketExpSeconds: number): Promise<Response> {
  const forwarded = () => {
    const request = new Request(upgrade);
    request.headers.set(FORWARD_HEADER_TICKET_EXP, String(ticketExpSeconds));
    return request;
  };
  const answer = await channelStub(env, channel).fetch(forwarded());
  const shard = answer.status === 101 ? null : answer.headers.get(SHARD_HEADER);
  return shard === null ? answer : shardStub(env, channel, Number(shard)).fetch(forwarded());
}
