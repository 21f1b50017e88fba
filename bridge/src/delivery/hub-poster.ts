/**
 * One signed POST of a batch to the hub, and what its answer means for the
 * outbox. `classifyResponse` is pure and table-tested.
 */
import { ErrorCode, invalidEventIndexes, parseErrorBody, Paths, trimBaseUrl, webhookHeaders, type HubEvent, type WebhookAccepted } from "../../../protocol/index.ts";
import { parseRetryAfterMs } from "./retry-after.ts";

export type PostOutcome =
  /** 2xx: the events are durably stored (or were duplicates/stale): remove them from the outbox. */
  | { readonly kind: "accepted"; readonly result: WebhookAccepted }
  /** No answer (refused, reset, timeout): the hub is down or unreachable. Retry with backoff. */
  | { readonly kind: "unreachable"; readonly message: string }
  /** 408, 429, 5xx: the hub is there but cannot take it now. Retry with backoff. */
  | { readonly kind: "retry"; readonly status: number; readonly message: string; readonly retryAfterMs: number | null }
  /** 401: wrong key or clock. Retrying soon cannot help: wait long, keep the events. */
  | { readonly kind: "unauthorized"; readonly code: string; readonly message: string }
  /** 503 not_configured: the hub lacks a secret. Only its operator can fix it: wait long, keep the events. */
  | { readonly kind: "unconfigured"; readonly message: string }
  /** 404/405: --hub does not point at a taskmaster-live hub. A configuration mistake: wait long, keep the events. */
  | { readonly kind: "misdirected"; readonly status: number; readonly message: string }
  /** Other 4xx: these events will never be accepted. `badIndexes` names the culprits when the hub said (422). */
  | { readonly kind: "rejected"; readonly status: number; readonly code: string; readonly message: string; readonly badIndexes: readonly number[] | null };

/** The outcomes name a code even when the body was not the hub's (a proxy page), and never an empty message. */
function readErrorBody(text: string): { code: string; message: string; badIndexes: number[] | null } {
  const body = parseErrorBody(text);
  return { code: body.code ?? "unknown", message: text === "" ? "(empty body)" : body.message, badIndexes: invalidEventIndexes(body.details) };
}

export function classifyResponse(status: number, text: string, retryAfter: string | null = null, nowMs = Date.now()): PostOutcome {
  if (status >= 200 && status < 300) {
    try {
      return { kind: "accepted", result: JSON.parse(text) as WebhookAccepted };
    } catch {
      return { kind: "accepted", result: { accepted: 0, duplicates: 0, stale: 0, head: 0 } };
    }
  }
  const error = readErrorBody(text);
  if (status === 503 && error.code === ErrorCode.NOT_CONFIGURED) return { kind: "unconfigured", message: `the hub is not configured (${error.message})` };
  if (status === 408 || status === 429 || status >= 500) return { kind: "retry", status, message: `${status} ${error.message}`, retryAfterMs: parseRetryAfterMs(retryAfter, nowMs) };
  if (status === 401) {
    const hint = error.code === ErrorCode.STALE_TIMESTAMP ? "check this machine's clock" : "check the channel's key (TASKMASTER_LIVE_KEY, --key-file or WEBHOOK_SECRET) and the channel";
    return { kind: "unauthorized", code: error.code, message: `the hub rejected the signature: ${hint} (${error.code}: ${error.message})` };
  }
  if (status === 404 || status === 405) return { kind: "misdirected", status, message: `the hub answered ${status} to the webhook URL: is --hub the taskmaster-live hub's base URL?` };
  return { kind: "rejected", status, code: error.code, message: error.message, badIndexes: error.badIndexes };
}

export interface HubTarget {
  /** Base URL, e.g. http://127.0.0.1:8787 */
  readonly hub: string;
  readonly channel: string;
  /** The channel's key (hex), once derived. */
  readonly key: Promise<string>;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
}

const DEFAULT_POST_TIMEOUT_MS = 15_000;

function webhookUrl(target: Pick<HubTarget, "hub" | "channel">): string {
  return trimBaseUrl(target.hub) + Paths.webhook(target.channel);
}

export async function postEvents(target: HubTarget, events: readonly HubEvent[], signal?: AbortSignal): Promise<PostOutcome> {
  const body = JSON.stringify({ events });
  const doFetch = target.fetch ?? fetch;
  try {
    const res = await doFetch(webhookUrl(target), {
      method: "POST",
      body,
      headers: await webhookHeaders(await target.key, body),
      signal: withTimeout(signal, target.timeoutMs ?? DEFAULT_POST_TIMEOUT_MS),
    });
    return classifyResponse(res.status, await res.text(), res.headers.get("retry-after"));
  } catch (error) {
    return { kind: "unreachable", message: describeFetchError(error) };
  }
}

function withTimeout(signal: AbortSignal | undefined, timeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

/** "connect ECONNREFUSED 127.0.0.1:8787" rather than "fetch failed". */
function describeFetchError(error: unknown): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === "TimeoutError") return "no answer within the timeout";
  return e?.cause?.message ?? e?.cause?.code ?? e?.message ?? String(error);
}
