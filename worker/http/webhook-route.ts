/**
 * The senders' routes, signed with the channel's key (see auth/sender-auth.ts):
 * `POST /webhooks/:channel` checks size, signature, time, JSON and schema, then
 * hands the batch to the channel; `DELETE /webhooks/:channel` deletes the channel.
 */
import type { Context } from "hono";
import {
  CHANNEL_NAME_RULE,
  ErrorCode,
  MAX_TIMESTAMP_SKEW_SECONDS,
  MAX_ISSUES_REPORTED,
  MAX_WEBHOOK_BODY_BYTES,
  futureDatedIssues,
  isChannelName,
  parseWebhookBody,
  type EventIssue,
} from "../../protocol/index.ts";
import { authenticateSender } from "../auth/sender-auth.ts";
import { channelStub } from "../channel/channel-stub.ts";
import { directoryStub } from "../directory/directory-stub.ts";
import type { Env } from "../env.ts";
import { logLine } from "../log.ts";
import { errorResponse } from "./errors.ts";
import { ingestAnswer } from "./ingest-answer.ts";
import { parseJsonBytes, readBodyCapped } from "./read-body.ts";

type HubContext = Context<{ Bindings: Env }>;

/** A request the sender checks let through: its channel and raw body. */
type SenderRequest = { readonly ok: true; readonly channel: string; readonly body: Uint8Array } | { readonly ok: false; readonly response: Response };

function refuse(c: HubContext, channel: string, code: ErrorCode, message: string, details?: unknown): Response {
  logLine("webhook.rejected", { channel, method: c.req.method, reason: code, message });
  return errorResponse(c, code, message, details);
}

/** Channel name, size, signature and time: the checks both sender routes share (requireSecret ran first). */
async function checkSender(c: HubContext, receivedAtMs: number): Promise<SenderRequest> {
  const channel = c.req.param("channel") ?? "";
  const fail = (code: ErrorCode, message: string) => ({ ok: false, response: refuse(c, channel, code, message) }) as const;
  if (!isChannelName(channel)) return fail(ErrorCode.BAD_CHANNEL, CHANNEL_NAME_RULE);
  const body = await readBodyCapped(c.req.raw, MAX_WEBHOOK_BODY_BYTES);
  if (body === null) return fail(ErrorCode.TOO_LARGE, `the body is larger than ${MAX_WEBHOOK_BODY_BYTES} bytes`);
  const sender = await authenticateSender(c.env.WEBHOOK_SECRET, channel, (name) => c.req.header(name), body, receivedAtMs);
  // A late request may be a replayed capture: refused, and never counted, so it creates nothing.
  if (!sender.ok) return fail(sender.code, sender.message);
  return { ok: true, channel, body };
}

export async function webhookRoute(c: HubContext): Promise<Response> {
  const receivedAtMs = Date.now();
  const sender = await checkSender(c, receivedAtMs);
  if (!sender.ok) return sender.response;
  const { channel, body } = sender;
  const reject = (code: ErrorCode, message: string, details?: unknown) => {
    // Signed with the channel's key: counted, by an object that ignores it if the channel does not exist.
    c.executionCtx.waitUntil(channelStub(c.env, channel).recordRejection().catch(() => {}));
    return refuse(c, channel, code, message, details);
  };

  const json = parseJsonBytes(body);
  if (!json.ok) return reject(ErrorCode.BAD_JSON, `the body is not JSON: ${json.message}`);
  const parsed = parseWebhookBody(json.value);
  if (!parsed.ok) return reject(ErrorCode.INVALID_EVENT, parsed.message, { issues: parsed.issues satisfies EventIssue[] });
  const future = futureDatedIssues(parsed.events, receivedAtMs);
  if (future.length > 0) {
    const message = `${future.length} of ${parsed.events.length} events are dated more than ${MAX_TIMESTAMP_SKEW_SECONDS} s in the future; nothing was stored`;
    return reject(ErrorCode.INVALID_EVENT, message, { issues: future.slice(0, MAX_ISSUES_REPORTED) });
  }

  return ingestAnswer(c, await channelStub(c.env, channel).ingest(parsed.events, receivedAtMs));
}

/**
 * Deletes a channel: its sockets close with 4404, its storage and directory entry go.
 * Like Stripe and GitHub, a channel that does not exist (never written, or already
 * deleted) is a 404: the outcome is the same, and the sender learns which case it was.
 */
export async function deleteChannelRoute(c: HubContext): Promise<Response> {
  const sender = await checkSender(c, Date.now());
  if (!sender.ok) return sender.response;
  const { channel } = sender;
  const existed = await channelStub(c.env, channel).destroy();
  // Also for a channel without events: a viewer may have listed it.
  await directoryStub(c.env).remove(channel);
  logLine("channel.deleted", { channel, existed });
  if (!existed) return errorResponse(c, ErrorCode.NOT_FOUND, `channel "${channel}" does not exist (no event accepted since it was created or deleted)`);
  return c.json({ deleted: true }, 200);
}
