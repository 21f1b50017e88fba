/** REST reads of a channel, in the same seq space as the WebSocket. */
import { Hono } from "hono";
import { ErrorCode, MAX_LONG_POLL_SECONDS } from "../../protocol/index.ts";
import { canSee } from "../auth/viewer-auth.ts";
import { parseCursor } from "../channel/replay-planner.ts";
import type { Env } from "../env.ts";
import { errorResponse } from "./errors.ts";
import { channelStub, directoryStub } from "./stubs.ts";
import { requireViewer, type ViewerVars } from "./viewer-middleware.ts";

const json = (body: string) => new Response(body, { headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" } });

export const channelRoutes = new Hono<{ Bindings: Env; Variables: ViewerVars }>()
  .get("/", requireViewer(), async (c) => {
    const all = await directoryStub(c.env).list();
    const claims = c.get("claims");
    return c.json({ channels: all.filter((s) => canSee(claims, s.channel)) });
  })
  .get("/:channel/snapshot", requireViewer({ channelParam: "channel" }), async (c) => {
    const channel = c.req.param("channel");
    return json(await channelStub(c.env, channel).snapshotJson(channel));
  })
  .get("/:channel/deltas", requireViewer({ channelParam: "channel" }), async (c) => {
    const channel = c.req.param("channel");
    const waitRaw = c.req.query("wait");
    const wait = waitRaw === undefined || waitRaw === "" ? 0 : Number(waitRaw);
    if (!Number.isFinite(wait) || wait < 0 || wait > MAX_LONG_POLL_SECONDS) {
      return errorResponse(c, ErrorCode.BAD_REQUEST, `wait must be a number of seconds from 0 to ${MAX_LONG_POLL_SECONDS}`);
    }
    const since = c.req.query("since");
    if (since !== undefined && since !== "" && !/^\d{1,15}$/.test(since)) {
      return errorResponse(c, ErrorCode.BAD_REQUEST, "since must be a non-negative integer seq");
    }
    const cursor = parseCursor(since, c.req.query("epoch"));
    return json(await channelStub(c.env, channel).deltasJson(channel, cursor, wait));
  })
  .get("/:channel/metrics", requireViewer({ channelParam: "channel" }), async (c) => {
    const channel = c.req.param("channel");
    return c.json(await channelStub(c.env, channel).metrics(channel));
  });
