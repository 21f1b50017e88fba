/** How the Worker reaches a channel's Durable Object: one per name, wherever the request lands. */
import type { Env } from "../env.ts";

/**
 * Header the Worker adds when it forwards an authenticated upgrade: the ticket's expiry
 * (unix seconds), after which the object closes the socket unless the viewer renews it.
 */
export const FORWARD_HEADER_TICKET_EXP = "x-hub-ticket-exp";

export function channelStub(env: Env, channel: string) {
  return env.CHANNEL.get(env.CHANNEL.idFromName(channel));
}

/** Hands an authorized WebSocket upgrade to the channel's object. */
export function forwardSocket(env: Env, channel: string, upgrade: Request, ticketExpSeconds: number): Promise<Response> {
  const forwarded = new Request(upgrade);
  forwarded.headers.set(FORWARD_HEADER_TICKET_EXP, String(ticketExpSeconds));
  return channelStub(env, channel).fetch(forwarded);
}
