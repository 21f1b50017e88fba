/**
 * `GET /ws/:channel?since=&epoch=&ticket=`: authenticate at the edge, then
 * hand the upgrade to the channel's object. Refusals are sent as a close code
 * on an accepted socket, because browsers hide the status of a failed upgrade.
 */
import type { Context } from "hono";
import { CloseCode, ErrorCode, isChannelName, type ErrorFrame } from "../../protocol/index.ts";
import { canSee, checkViewer } from "../auth/viewer-auth.ts";
import type { Env } from "../env.ts";
import { logLine } from "../log.ts";
import { errorResponse } from "./errors.ts";
import { channelStub } from "./stubs.ts";

/** Headers the Worker adds when it forwards an authenticated upgrade to the channel object. */
export const FORWARD_HEADER_CHANNEL = "x-hub-channel";
export const FORWARD_HEADER_TICKET_EXP = "x-hub-ticket-exp";

export function refuseSocket(code: CloseCode, errorCode: ErrorCode, message: string): Response {
  const pair = new WebSocketPair();
  const [client, server] = [pair[0], pair[1]];
  server.accept();
  server.send(JSON.stringify({ type: "error", code: errorCode, message } satisfies ErrorFrame));
  server.close(code, message.slice(0, 120));
  return new Response(null, { status: 101, webSocket: client });
}

export async function socketRoute(c: Context<{ Bindings: Env }>): Promise<Response> {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    return errorResponse(c, ErrorCode.BAD_REQUEST, "this path expects a WebSocket upgrade (Upgrade: websocket)");
  }
  const channel = c.req.param("channel") ?? "";
  const refuse = (code: CloseCode, errorCode: ErrorCode, message: string) => {
    logLine("socket.rejected", { channel, closeCode: code, reason: errorCode });
    return refuseSocket(code, errorCode, message);
  };
  if (!isChannelName(channel)) return refuse(CloseCode.PROTOCOL_ERROR, ErrorCode.BAD_CHANNEL, "channel must match ^[a-z0-9][a-z0-9._-]{0,63}$");
  const viewer = await checkViewer(c.env, c.req.query("ticket") ?? null, Math.floor(Date.now() / 1000));
  if (!viewer.ok) return refuse(CloseCode.UNAUTHORIZED, ErrorCode.UNAUTHORIZED, viewer.message);
  if (!canSee(viewer.claims, channel)) return refuse(CloseCode.FORBIDDEN, ErrorCode.FORBIDDEN, `the ticket does not grant channel "${channel}"`);

  const forwarded = new Request(c.req.raw);
  forwarded.headers.set(FORWARD_HEADER_CHANNEL, channel);
  forwarded.headers.set(FORWARD_HEADER_TICKET_EXP, String(viewer.claims.exp));
  return channelStub(c.env, channel).fetch(forwarded);
}
