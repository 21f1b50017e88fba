/**
 * `GET /ws/:channel?since=&epoch=&ticket=`: authenticate at the edge, then
 * hand the upgrade to the channel's object. Refusals are sent as a close code
 * on an accepted socket, because browsers hide the status of a failed upgrade.
 */
import type { Context } from "hono";
import { CloseCode, ErrorCode, MAX_SINCE_SEQ } from "../../protocol/index.ts";
import { authorizeViewer } from "../auth/viewer-auth.ts";
import { forwardSocket } from "../channel/channel-stub.ts";
import { refuseSocket } from "../channel/refuse-socket.ts";
import type { Env } from "../env.ts";
import { logLine } from "../log.ts";
import { errorResponse } from "./errors.ts";
import { parseDigitsParam } from "./query-params.ts";

export async function socketRoute(c: Context<{ Bindings: Env }>): Promise<Response> {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    return errorResponse(c, ErrorCode.BAD_REQUEST, "this path expects a WebSocket upgrade (Upgrade: websocket)");
  }
  const channel = c.req.param("channel") ?? "";
  const viewer = await authorizeViewer(c.env, c.req.query("ticket") ?? null, channel, Math.floor(Date.now() / 1000));
  if (!viewer.ok) {
    logLine("socket.rejected", { channel, closeCode: viewer.closeCode, reason: viewer.errorCode });
    return refuseSocket(viewer.closeCode, viewer.errorCode, viewer.message);
  }
  // A malformed cursor is a client's bug: name it rather than quietly answer with a snapshot.
  if (!parseDigitsParam(c.req.query("since"), MAX_SINCE_SEQ).ok) {
    return refuseSocket(CloseCode.PROTOCOL_ERROR, ErrorCode.BAD_REQUEST, "since must be a non-negative integer seq");
  }
  return forwardSocket(c.env, channel, c.req.raw, viewer.claims.exp);
}
