/** Guards the REST API: a valid ticket (or the dashboard token) that grants the channel in the path. */
import type { Context, MiddlewareHandler } from "hono";
import { ErrorCode, isChannelName } from "../../protocol/index.ts";
import { bearerOf, canSee, checkViewer } from "../auth/viewer-auth.ts";
import type { TicketClaims } from "../auth/tickets.ts";
import type { Env } from "../env.ts";
import { errorResponse } from "./errors.ts";

export type ViewerVars = { claims: TicketClaims };
export type ViewerContext = Context<{ Bindings: Env; Variables: ViewerVars }>;

/**
 * @example app.get("/api/channels/:channel/snapshot", requireViewer({ channelParam: "channel" }), handler)
 */
export function requireViewer(options: { channelParam?: string } = {}): MiddlewareHandler<{ Bindings: Env; Variables: ViewerVars }> {
  return async function viewerGuard(c, next) {
    const channel = options.channelParam ? (c.req.param(options.channelParam) ?? "") : null;
    if (channel !== null && !isChannelName(channel)) return errorResponse(c, ErrorCode.BAD_CHANNEL, "channel must match ^[a-z0-9][a-z0-9._-]{0,63}$");
    const viewer = await checkViewer(c.env, bearerOf(c.req.header("authorization")), Math.floor(Date.now() / 1000));
    if (!viewer.ok) return errorResponse(c, ErrorCode.UNAUTHORIZED, viewer.message);
    if (channel !== null && !canSee(viewer.claims, channel)) {
      return errorResponse(c, ErrorCode.FORBIDDEN, `the ticket does not grant channel "${channel}"`);
    }
    c.set("claims", viewer.claims);
    await next();
  };
}
