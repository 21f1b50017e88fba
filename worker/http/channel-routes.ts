/** REST reads of a channel, in the same seq space as the WebSocket. Each runs behind `requireViewer`. */
import type { Context } from "hono";
import { ALL_CHANNELS, ErrorCode, MAX_LONG_POLL_SECONDS, Routes, type ChannelsResponse } from "../../protocol/index.ts";
import { channelStub } from "../channel/channel-stub.ts";
import { parseResumeRequest } from "../channel/replay-planner.ts";
import { parseChannelPageQuery } from "../directory/channel-page.ts";
import { directoryStub } from "../directory/directory-stub.ts";
import type { Env } from "../env.ts";
import { errorResponse } from "./errors.ts";
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
  const waitRaw = c.req.query("wait");
  // Digits only, like every numeric query parameter: "0x10", "1e1" or " 5" are refused, not read as numbers.
  const wait = waitRaw === undefined || waitRaw === "" ? 0 : /^\d{1,3}$/.test(waitRaw) ? Number(waitRaw) : NaN;
  if (!(wait >= 0 && wait <= MAX_LONG_POLL_SECONDS)) {
    return errorResponse(c, ErrorCode.BAD_REQUEST, `wait must be a number of seconds from 0 to ${MAX_LONG_POLL_SECONDS}`);
  }
  const since = c.req.query("since");
  if (since !== undefined && since !== "" && !/^\d{1,15}$/.test(since)) {
    return errorResponse(c, ErrorCode.BAD_REQUEST, "since must be a non-negative integer seq");
  }
  const request = parseResumeRequest(since, c.req.query("epoch"));
  return json(await channelStub(c.env, c.req.param("channel")).deltasJson(request, wait));
}

export async function metricsRoute(c: ViewerContext<typeof Routes.metrics.path>): Promise<Response> {
  return c.json(await channelStub(c.env, c.req.param("channel")).metrics());
}
