/** Guards the REST API: a valid ticket (or the dashboard token) that grants the channel in the path. */
import type { MiddlewareHandler } from "hono";
import { authorizeViewer, bearerOf } from "../auth/viewer-auth.ts";
import type { TicketClaims } from "../auth/tickets.ts";
import type { Env } from "../env.ts";
import { errorResponse } from "./errors.ts";

export type ViewerVars = { claims: TicketClaims };

/**
 * @example app.get("/api/channels/:channel/snapshot", requireViewer({ channelParam: "channel" }), handler)
 */
export function requireViewer(options: { channelParam?: string } = {}): MiddlewareHandler<{ Bindings: Env; Variables: ViewerVars }> {
  return async function viewerGuard(c, next) {
    const channel = options.channelParam ? (c.req.param(options.channelParam) ?? "") : null;
    const viewer = await authorizeViewer(c.env, bearerOf(c.req.header("authorization")), channel, Math.floor(Date.now() / 1000));
    if (!viewer.ok) return errorResponse(c, viewer.errorCode, viewer.message);
    c.set("claims", viewer.claims);
    await next();
  };
}
