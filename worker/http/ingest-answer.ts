/** The HTTP answer to a channel's ingest: 202 with the counts, or 429 with `Retry-After` when its rate limit refused the batch. */
import type { Context } from "hono";
import { ErrorCode } from "../../protocol/index.ts";
import type { IngestOutcome } from "../channel/channel-object.ts";
import { errorResponse } from "./errors.ts";

export function ingestAnswer(c: Context, outcome: IngestOutcome): Response {
  if (outcome.ok) return c.json(outcome.accepted, 202);
  const res = errorResponse(c, ErrorCode.RATE_LIMITED, outcome.message, { retryAfterSeconds: outcome.retryAfterSeconds });
  res.headers.set("Retry-After", String(outcome.retryAfterSeconds));
  return res;
}
