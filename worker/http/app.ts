/** The hono app: thin routes, validation at the edge, the work in the Durable Objects. */
import { Hono } from "hono";
import { ErrorCode } from "../../protocol/index.ts";
import type { Env } from "../env.ts";
import { errorFields, logLine } from "../log.ts";
import { channelRoutes } from "./channel-routes.ts";
import { errorResponse } from "./errors.ts";
import { socketRoute } from "./socket-route.ts";
import { ticketRoute } from "./ticket-route.ts";
import { webhookRoute } from "./webhook-route.ts";

export function createApp() {
  const app = new Hono<{ Bindings: Env }>();
  app.post("/webhooks/:channel", webhookRoute);
  app.get("/ws/:channel", socketRoute);
  app.post("/api/auth/ticket", ticketRoute);
  app.get("/api/health", (c) => c.json({ ok: true }));
  app.route("/api/channels", channelRoutes);

  for (const path of ["/webhooks/:channel", "/ws/:channel", "/api/auth/ticket", "/api/health", "/api/channels", ...["snapshot", "deltas", "metrics"].map((view) => `/api/channels/:channel/${view}`)]) {
    app.all(path, (c) => errorResponse(c, ErrorCode.METHOD_NOT_ALLOWED, `${c.req.method} is not allowed on ${new URL(c.req.url).pathname}`));
  }
  app.notFound((c) => errorResponse(c, ErrorCode.NOT_FOUND, `no route for ${c.req.method} ${new URL(c.req.url).pathname}`));
  app.onError((error, c) => {
    logLine("error", { where: "worker", method: c.req.method, path: new URL(c.req.url).pathname, ...errorFields(error) });
    return errorResponse(c, ErrorCode.INTERNAL, "internal error; retry the request (event ids make retries safe)");
  });
  return app;
}
