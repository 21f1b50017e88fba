/** The parameters of `GET /api/channels/:channel/tasks/:tag/:id/history?before=&limit=`, parsed strictly: a rule the hub's own events follow, digits only for numbers. */
import * as v from "valibot";
import { DEFAULT_TASK_HISTORY_LIMIT, MAX_TASK_HISTORY_LIMIT, TaskInputSchema, TaskUpsertData } from "../../protocol/index.ts";
import type { TaskHistoryQuery } from "../channel/task-history.ts";
import { parseDigitsParam } from "./query-params.ts";

// The same rules as a task.upsert's `tag` and `task.id`, so every task the hub holds can be asked for.
const TagRule = TaskUpsertData.entries.tag.wrapped;
const TaskIdRule = TaskInputSchema.entries.id;

type Parsed = { readonly ok: true; readonly query: TaskHistoryQuery } | { readonly ok: false; readonly field: string; readonly message: string };

export function parseTaskHistoryQuery(params: { tag: string; id: string; before: string | undefined; limit: string | undefined }): Parsed {
  const tag = v.safeParse(TagRule, params.tag);
  if (!tag.success) return { ok: false, field: "tag", message: `tag ${JSON.stringify(params.tag)} is invalid: ${tag.issues[0].message}` };
  const id = v.safeParse(TaskIdRule, params.id);
  if (!id.success) return { ok: false, field: "id", message: `id ${JSON.stringify(params.id)} is not a task id: ${id.issues[0].message}` };
  const before = parseDigitsParam(params.before, Number.MAX_SAFE_INTEGER);
  if (!before.ok || before.value === 0) return { ok: false, field: "before", message: "before must be a seq: a positive integer of digits only" };
  const limit = parseDigitsParam(params.limit, MAX_TASK_HISTORY_LIMIT);
  if (!limit.ok || limit.value === 0) {
    return { ok: false, field: "limit", message: `limit must be an integer from 1 to ${MAX_TASK_HISTORY_LIMIT}, digits only` };
  }
  return { ok: true, query: { tag: params.tag, id: params.id, before: before.value, limit: limit.value ?? DEFAULT_TASK_HISTORY_LIMIT } };
}

