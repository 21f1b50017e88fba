/** `POST /webhooks/:channel`: check size, signature, time, JSON and schema, then hand the batch to the channel. */
import type { Context } from "hono";
import {
  CHANNEL_NAME_RULE,
  ErrorCode,
  HEADER_SIGNATURE,
  HEADER_TIMESTAMP,
  MAX_TIMESTAMP_SKEW_SECONDS,
  MAX_ISSUES_REPORTED,
  MAX_WEBHOOK_BODY_BYTES,
  futureDatedIssues,
  isChannelName,
  parseWebhookBody,
  verifyWebhook,
  type EventIssue,
} from "../../protocol/index.ts";
import { channelStub } from "../channel/channel-stub.ts";
import type { Env } from "../env.ts";
import { logLine } from "../log.ts";
import { errorResponse } from "./errors.ts";
import { ingestAnswer } from "./ingest-answer.ts";
import { parseJsonBytes, readBodyCapped } from "./read-body.ts";

type HubContext = Context<{ Bindings: Env }>;

export async function webhookRoute(c: HubContext): Promise<Response> {
  const receivedAtMs = Date.now();
  const channel = c.req.param("channel") ?? "";
  const reject = (code: ErrorCode, message: string, details?: unknown, authenticated = false) => {
    logLine("webhook.rejected", { channel, reason: code, message });
    // Only authenticated rejections count against a channel: strangers must not create objects.
    if (authenticated) c.executionCtx.waitUntil(channelStub(c.env, channel).recordRejection().catch(() => {}));
    return errorResponse(c, code, message, details);
  };

  if (!isChannelName(channel)) return reject(ErrorCode.BAD_CHANNEL, CHANNEL_NAME_RULE);
  const body = await readBodyCapped(c.req.raw, MAX_WEBHOOK_BODY_BYTES);
  if (body === null) return reject(ErrorCode.TOO_LARGE, `the body is larger than ${MAX_WEBHOOK_BODY_BYTES} bytes`);

  const timestamp = c.req.header(HEADER_TIMESTAMP);
  const signature = c.req.header(HEADER_SIGNATURE);
  if (!timestamp || !/^\d{1,15}$/.test(timestamp)) return reject(ErrorCode.BAD_SIGNATURE, `${HEADER_TIMESTAMP} must be present and hold unix seconds`);
  if (!signature) return reject(ErrorCode.BAD_SIGNATURE, `${HEADER_SIGNATURE} is missing`);
  if (!(await verifyWebhook(c.env.WEBHOOK_SECRET, timestamp, body, signature))) {
    return reject(ErrorCode.BAD_SIGNATURE, `${HEADER_SIGNATURE} does not match: expected sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`);
  }
  const skewSeconds = Math.abs(receivedAtMs / 1000 - Number(timestamp));
  if (skewSeconds > MAX_TIMESTAMP_SKEW_SECONDS) {
    return reject(ErrorCode.STALE_TIMESTAMP, `${HEADER_TIMESTAMP} is ${Math.round(skewSeconds)} s from the server clock (at most ${MAX_TIMESTAMP_SKEW_SECONDS} s)`, undefined, true);
  }

  const json = parseJsonBytes(body);
  if (!json.ok) return reject(ErrorCode.BAD_JSON, `the body is not JSON: ${json.message}`, undefined, true);
  const parsed = parseWebhookBody(json.value);
  if (!parsed.ok) return reject(ErrorCode.INVALID_EVENT, parsed.message, { issues: parsed.issues satisfies EventIssue[] }, true);
  const future = futureDatedIssues(parsed.events, receivedAtMs);
  if (future.length > 0) {
    const message = `${future.length} of ${parsed.events.length} events are dated more than ${MAX_TIMESTAMP_SKEW_SECONDS} s in the future; nothing was stored`;
    return reject(ErrorCode.INVALID_EVENT, message, { issues: future.slice(0, MAX_ISSUES_REPORTED) }, true);
  }

  return ingestAnswer(c, await channelStub(c.env, channel).ingest(parsed.events, receivedAtMs));
}
