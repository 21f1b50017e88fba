/** `POST /api/auth/ticket`: trade the dashboard token for a short-lived ticket naming channels. */
import type { Context } from "hono";
import * as v from "valibot";
import { ErrorCode, MAX_TICKET_TTL_SECONDS, isChannelName, type TicketResponse } from "../../protocol/index.ts";
import { bearerOf, isDashboardToken, ticketKeyFor } from "../auth/viewer-auth.ts";
import { ALL_CHANNELS, issueTicket } from "../auth/tickets.ts";
import { readConfig } from "../config.ts";
import type { Env } from "../env.ts";
import { errorResponse } from "./errors.ts";
import { parseJsonBytes, readBodyCapped } from "./read-body.ts";

const MAX_TICKET_BODY_BYTES = 16 * 1024;

const TicketRequestSchema = v.object({
  channels: v.optional(
    v.pipe(
      v.array(v.pipe(v.string(), v.check((s) => s === ALL_CHANNELS || isChannelName(s), 'each channel must be a channel name or "*"'))),
      v.minLength(1, "must name at least one channel"),
      v.maxLength(100, "must name at most 100 channels"),
    ),
  ),
  ttlSeconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(MAX_TICKET_TTL_SECONDS))),
});

export async function ticketRoute(c: Context<{ Bindings: Env }>): Promise<Response> {
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
  const ttl = parsed.output.ttlSeconds ?? readConfig(c.env).ticketTtlSeconds;
  const exp = Math.floor(Date.now() / 1000) + ttl;
  const ticket = await issueTicket(await ticketKeyFor(c.env), { channels, exp });
  return c.json({ ticket, expiresAt: new Date(exp * 1000).toISOString(), channels } satisfies TicketResponse);
}
