/** `GET /api/channels/:channel/tasks/:tag/:id/history?before=&limit=`: a task's retained history, paged. Runs behind `requireViewer`. */
import type { Context } from "hono";
import * as v from "valibot";
import { DEFAULT_TASK_HISTORY_LIMIT, ErrorCode, MAX_TASK_HISTORY_LIMIT, Routes, TaskInputSchema, TaskUpsertData } from "../../protocol/index.ts";
import { channelStub } from "../channel/channel-stub.ts";
import type { TaskHistoryQuery } from "../channel/task-history.ts";
import type { Env } from "../env.ts";
import { errorResponse } from "./errors.ts";
import type { ViewerVars } from "./viewer-middleware.ts";

type HistoryContext = Context<{ Bindings: Env; Variables: ViewerVars }, typeof Routes.taskHistory.path>;

// The same rules as a task.upsert's `tag` and `task.id`, so every task the hub holds can be asked for.
const TagRule = TaskUpsertData.entries.tag.wrapped;
const TaskIdRule = TaskInputSchema.entries.id;
const DIGITS = /^\d{1,15}$/;

type Parsed = { readonly ok: true; readonly query: TaskHistoryQuery } | { readonly ok: false; readonly field: string; readonly message: string };

/** Strict parameters: a rule the hub's own events follow, digits only for numbers. */
export function parseTaskHistoryQuery(params: { tag: string; id: string; before: string | undefined; limit: string | undefined }): Parsed {
  const tag = v.safeParse(TagRule, params.tag);
  if (!tag.success) return { ok: false, field: "tag", message: `tag ${JSON.stringify(params.tag)} is invalid: ${tag.issues[0].message}` };
  const id = v.safeParse(TaskIdRule, params.id);
  if (!id.success) return { ok: false, field: "id", message: `id ${JSON.stringify(params.id)} is not a task id: ${id.issues[0].message}` };
  if (params.before !== undefined && (!DIGITS.test(params.before) || Number(params.before) < 1)) {
    return { ok: false, field: "before", message: "before must be a seq: a positive integer of digits only" };
  }
  if (params.limit !== undefined && (!DIGITS.test(params.limit) || Number(params.limit) < 1 || Number(params.limit) > MAX_TASK_HISTORY_LIMIT)) {
    return { ok: false, field: "limit", message: `limit must be an integer from 1 to ${MAX_TASK_HISTORY_LIMIT}, digits only` };
  }
  return {
    ok: true,
    query: {
      tag: params.tag,
      id: params.id,
      before: params.before === undefined ? undefined : Number(params.before),
      limit: params.limit === undefined ? DEFAULT_TASK_HISTORY_LIMIT : Number(params.limit),
    },
  };
}

export async function taskHistoryRoute(c: HistoryContext): Promise<Response> {
  const parsed = parseTaskHistoryQuery({ tag: c.req.param("tag"), id: c.req.param("id"), before: c.req.query("before"), limit: c.req.query("limit") });
  if (!parsed.ok) return errorResponse(c, ErrorCode.BAD_REQUEST, parsed.message, { field: parsed.field });
  const body = await channelStub(c.env, c.req.param("channel")).taskHistoryJson(parsed.query);
  return new Response(body, { headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" } });
}
