/** `GET /api/channels/:channel/tasks/:tag/:id/history?before=&limit=`: a task's retained history, paged. Runs behind `requireViewer`. */
import type { Context } from "hono";
import { ErrorCode, Routes } from "../../protocol/index.ts";
import { channelStub } from "../channel/channel-stub.ts";
import type { Env } from "../env.ts";
import { errorResponse } from "./errors.ts";
import { parseTaskHistoryQuery } from "./task-history-query.ts";
import type { ViewerVars } from "./viewer-middleware.ts";

type HistoryContext = Context<{ Bindings: Env; Variables: ViewerVars }, typeof Routes.taskHistory.path>;

export async function taskHistoryRoute(c: HistoryContext): Promise<Response> {
  const parsed = parseTaskHistoryQuery({ tag: c.req.param("tag"), id: c.req.param("id"), before: c.req.query("before"), limit: c.req.query("limit") });
  if (!parsed.ok) return errorResponse(c, ErrorCode.BAD_REQUEST, parsed.message, { field: parsed.field });
  const body = await channelStub(c.env, c.req.param("channel")).taskHistoryJson(parsed.query);
  return new Response(body, { headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" } });
}
