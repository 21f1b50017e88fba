/** REST reads of a channel, in the same seq space as the WebSocket. Each runs behind `requireViewer`. */
import type { Context } from "hono";
import { ALL_CHANNELS, ErrorCode, MAX_LONG_POLL_SECONDS, MAX_SINCE_SEQ, Routes, type ChannelsResponse } from "../../protocol/index.ts";
import { channelStub } from "../channel/channel-stub.ts";
import { parseResumeRequest } from "../channel/replay-planner.ts";
import { parseChannelPageQuery } from "./channel-page-query.ts";
import { directoryStub } from "../directory/directory-stub.ts";
import type { Env } from "../env.ts";
import { errorResponse } from "./errors.ts";
import { PROMETHEUS_CONTENT_TYPE, formatPrometheus } from "./prometheus.ts";
import { parseDigitsParam } from "./query-params.ts";
import type { ViewerVars } from "./viewer-middleware.ts";

type ViewerContext<Path extends string> = Context<{ Bindings: Env; Variables: ViewerVars }, Path>;

const json = (body: string) => new Response(body, { headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" } });

/** One page of the channels the viewer's ticket grants. */
export async function channelsRoute(c: ViewerContext<typeof Routes.channels.path>): Promise<Response> {
  const page = parseChannelPageQuery(c.req.query("limit"), c.req.query("cursor"));
  if (!page.ok) return errorResponse(c, ErrorCode.BAD_REQUEST, page.message);
  const claims = c.get("claims");
  const only = claims.channels.includes(ALL_CHANNELS) ? null : claims.channels;
  return c.json((await directoryStub(c.env).list(page.query, only)) satisfies ChannelsResponse);
}

export async function snapshotRoute(c: ViewerContext<typeof Routes.snapshot.path>): Promise<Response> {
  return json(await channelStub(c.env, c.req.param("channel")).snapshotJson());
}

export async function deltasRoute(c: ViewerContext<typeof Routes.deltas.path>): Promise<Response> {
  const wait = parseDigitsParam(c.req.query("wait"), MAX_LONG_POLL_SECONDS);
  if (!wait.ok) return errorResponse(c, ErrorCode.BAD_REQUEST, `wait must be whole seconds from 0 to ${MAX_LONG_POLL_SECONDS}, digits only`);
  const since = c.req.query("since");
  if (!parseDigitsParam(since, MAX_SINCE_SEQ).ok) {
    return errorResponse(c, ErrorCode.BAD_REQUEST, "since must be a non-negative integer seq");
  }
  const replay = c.req.query("replay");
  if (replay !== undefined && replay !== "always") return errorResponse(c, ErrorCode.BAD_REQUEST, 'replay must be "always" or absent');
  const request = parseResumeRequest(since, c.req.query("epoch"));
  return json(await channelStub(c.env, c.req.param("channel")).deltasJson(request, wait.value ?? 0, replay === "always"));
}

export async function metricsRoute(c: ViewerContext<typeof Routes.metrics.path>): Promise<Response> {
  const format = c.req.query("format") ?? "json";
  if (format !== "json" && format !== "prometheus") return errorResponse(c, ErrorCode.BAD_REQUEST, "format must be json or prometheus");
  const metrics = await channelStub(c.env, c.req.param("channel")).metrics();
  if (format === "json") return c.json(metrics);
  return new Response(formatPrometheus(metrics), { headers: { "content-type": PROMETHEUS_CONTENT_TYPE, "cache-control": "no-store" } });
}
