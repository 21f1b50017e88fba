import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ERROR_STATUS, type ErrorBody, type ErrorCode } from "../../protocol/index.ts";

/** The one shape of every error answer: `{ "error": { code, message, details? } }`. */
export function errorResponse(c: Context, code: ErrorCode, message: string, details?: unknown): Response {
  const body: ErrorBody = { error: { code, message, ...(details !== undefined ? { details } : {}) } };
  return c.json(body, ERROR_STATUS[code] as ContentfulStatusCode);
}
