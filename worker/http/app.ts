/** The hono app: thin routes, validation at the edge, the work in the Durable Objects. */
import { Hono, type Context } from "hono";
import { ErrorCode, Routes } from "../../protocol/index.ts";
import type { Env } from "../env.ts";
import { errorFields, logLine } from "../log.ts";
import { channelsRoute, deltasRoute, metricsRoute, snapshotRoute } from "./channel-routes.ts";
import { errorResponse } from "./errors.ts";
import { securityHeaders } from "./security-headers.ts";
import { socketRoute } from "./socket-route.ts";
import { taskHistoryRoute } from "./task-history-route.ts";
import { ticketRoute } from "./ticket-route.ts";
import { requireViewer, type ViewerVars } from "./viewer-middleware.ts";
import { deleteChannelRoute, webhookRoute } from "./webhook-route.ts";
import { requireSecret } from "./require-secret.ts";

export function createApp() {
  const app = new Hono<{ Bindings: Env; Variables: ViewerVars }>();
  const viewer = requireViewer();
  const channelViewer = requireViewer({ channelParam: "channel" });
  // First, so it also wraps the 404, 405 and error answers below.
  app.use(securityHeaders());
  // Before every handler: a hub without its secrets says which one is missing (503), on every method.
  app.use(Routes.webhook.path, requireSecret("WEBHOOK_SECRET"));
  const signedOrOpen: readonly string[] = [Routes.webhook.path, Routes.health.path];
  for (const route of Object.values(Routes)) if (!signedOrOpen.includes(route.path)) app.use(route.path, requireSecret("DASHBOARD_TOKEN"));
  app.on(Routes.webhook.method, Routes.webhook.path, webhookRoute);
  app.on(Routes.socket.method, Routes.socket.path, socketRoute);
  app.on(Routes.ticket.method, Routes.ticket.path, ticketRoute);
  app.on(Routes.health.method, Routes.health.path, (c) => c.json({ ok: true }));
  app.on(Routes.channels.method, Routes.channels.path, viewer, channelsRoute);
  app.on(Routes.snapshot.method, Routes.snapshot.path, channelViewer, snapshotRoute);
  app.on(Routes.deltas.method, Routes.deltas.path, channelViewer, deltasRoute);
  app.on(Routes.metrics.method, Routes.metrics.path, channelViewer, metricsRoute);
  app.on(Routes.taskHistory.method, Routes.taskHistory.path, channelViewer, taskHistoryRoute);
  app.on(Routes.deleteChannel.method, Routes.deleteChannel.path, deleteChannelRoute);

  // Registered after every handler: reached only by the methods the table does not list.
  for (const route of Object.values(Routes)) app.all(route.path, methodNotAllowed);
  app.notFound((c) => errorResponse(c, ErrorCode.NOT_FOUND, `no route for ${c.req.method} ${new URL(c.req.url).pathname}`));
  app.onError((error, c) => {
    logLine("error", { where: "worker", method: c.req.method, path: new URL(c.req.url).pathname, ...errorFields(error) });
    return errorResponse(c, ErrorCode.INTERNAL, "internal error; retry the request (event ids make retries safe)");
  });
  return app;
}

function methodNotAllowed(c: Context): Response {
  return errorResponse(c, ErrorCode.METHOD_NOT_ALLOWED, `${c.req.method} is not allowed on ${new URL(c.req.url).pathname}`);
}
