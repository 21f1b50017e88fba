/** `POST /api/auth/ticket`: trade the dashboard token for a short-lived ticket naming channels. */
import type { Context } from "hono";
import * as v from "valibot";
import { ALL_CHANNELS, ErrorCode, TicketRequestSchema, type TicketResponse } from "../../protocol/index.ts";
import { bearerOf, isDashboardToken, ticketKeyFor } from "../auth/viewer-auth.ts";
import { issueTicket } from "../auth/tickets.ts";
import { readConfig } from "../config.ts";
import type { Env } from "../env.ts";
import { errorResponse } from "./errors.ts";
import { parseJsonBytes, readBodyCapped } from "./read-body.ts";

const MAX_TICKET_BODY_BYTES = 16 * 1024;

/** The period of the TICKET_RATE_LIMITER binding (wrangler.toml): a refused client may ask again after it. */
const TICKET_LIMIT_PERIOD_SECONDS = 60;

export async function ticketRoute(c: Context<{ Bindings: Env }>): Promise<Response> {
  // Before the token check: guessing the token costs a request like any other.
  const clientIp = c.req.header("cf-connecting-ip");
  if (c.env.TICKET_RATE_LIMITER && clientIp && !(await c.env.TICKET_RATE_LIMITER.limit({ key: clientIp })).success) {
    const res = errorResponse(c, ErrorCode.RATE_LIMITED, `too many ticket requests from this address; retry after ${TICKET_LIMIT_PERIOD_SECONDS} s`);
    res.headers.set("Retry-After", String(TICKET_LIMIT_PERIOD_SECONDS));
    return res;
  }
  const token = bearerOf(c.req.header("authorization"));
  if (!token || !(await isDashboardToken(c.env, token))) {
    return errorResponse(c, ErrorCode.UNAUTHORIZED, "Authorization: Bearer <DASHBOARD_TOKEN> is missing or wrong");
  }
  const bytes = await readBodyCapped(c.req.raw, MAX_TICKET_BODY_BYTES);
  if (bytes === null) return errorResponse(c, ErrorCode.TOO_LARGE, `the body is larger than ${MAX_TICKET_BODY_BYTES} bytes`);
  let body: unknown = {};
  if (bytes.byteLength > 0) {
    const json = parseJsonBytes(bytes);
    if (!json.ok) return errorResponse(c, ErrorCode.BAD_JSON, `the body is not JSON: ${json.message}`);
    body = json.value;
  }
  const parsed = v.safeParse(TicketRequestSchema, body);
  if (!parsed.success) {
    const issues = parsed.issues.map((i) => ({ path: v.getDotPath(i) ?? "", message: i.message }));
    return errorResponse(c, ErrorCode.BAD_REQUEST, "the ticket request is invalid", { issues });
  }
  const channels = parsed.output.channels ?? [ALL_CHANNELS];
  const ttlSeconds = parsed.output.ttlSeconds ?? readConfig(c.env).ticketTtlSeconds;
  const exp = Math.floor(Date.now() / 1000) + ttlSeconds;
  const ticket = await issueTicket(await ticketKeyFor(c.env), { channels, exp });
  return c.json({ ticket, expiresAt: new Date(exp * 1000).toISOString(), channels } satisfies TicketResponse);
}
