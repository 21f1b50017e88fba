/**
 * Who may write a channel: a request signed with that channel's key (never
 * the root secret), in either header scheme, within the timestamp window.
 * - `X-Hub-Timestamp` + `X-Hub-Signature: sha256=<hex>` over "<ts>.<body>";
 * - Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>`
 *   over "<id>.<ts>.<body>". Any `webhook-*` header selects this scheme.
 * The signature is checked before the time, so only a request signed for this
 * channel learns that it arrived late.
 */
import {
  ErrorCode,
  HEADER_SIGNATURE,
  HEADER_TIMESTAMP,
  HEADER_WEBHOOK_ID,
  HEADER_WEBHOOK_SIGNATURE,
  HEADER_WEBHOOK_TIMESTAMP,
  MAX_TIMESTAMP_SKEW_SECONDS,
  WEBHOOK_ID_PATTERN,
  deriveChannelKey,
  verifyStandardWebhook,
  verifyWebhook,
} from "../../protocol/index.ts";

/** Channel keys kept per isolate; a sender flood over many names evicts the oldest, never grows memory. */
export const MAX_CACHED_CHANNEL_KEYS = 1000;
const UNIX_SECONDS = /^\d{1,15}$/;

export type SenderCheck =
  | { readonly ok: true }
  /** `signed`: the request was signed with this channel's key (it was refused for another reason). */
  | { readonly ok: false; readonly code: ErrorCode; readonly message: string; readonly signed: boolean };

type HeaderOf = (name: string) => string | null | undefined;

const keyCache = new Map<string, Promise<string>>();
let cachedRoot: string | null = null;

/** The channel's key, derived once per isolate (a new root secret empties the cache). */
export function channelKeyFor(rootSecret: string, channel: string): Promise<string> {
  if (rootSecret !== cachedRoot) {
    keyCache.clear();
    cachedRoot = rootSecret;
  }
  let key = keyCache.get(channel);
  if (key) {
    // Re-inserted: the Map's order is then least recently used first.
    keyCache.delete(channel);
  } else {
    key = deriveChannelKey(rootSecret, channel);
    if (keyCache.size >= MAX_CACHED_CHANNEL_KEYS) keyCache.delete(keyCache.keys().next().value!);
  }
  keyCache.set(channel, key);
  return key;
}

/** Checks a sender's signature and timestamp against the channel's key. */
export async function authenticateSender(rootSecret: string, channel: string, header: HeaderOf, body: Uint8Array, nowMs: number): Promise<SenderCheck> {
  const key = await channelKeyFor(rootSecret, channel);
  const standard = header(HEADER_WEBHOOK_ID) ?? header(HEADER_WEBHOOK_TIMESTAMP) ?? header(HEADER_WEBHOOK_SIGNATURE);
  return standard == null ? checkHubScheme(key, header, body, nowMs) : checkStandardScheme(key, header, body, nowMs);
}

async function checkHubScheme(key: string, header: HeaderOf, body: Uint8Array, nowMs: number): Promise<SenderCheck> {
  const timestamp = header(HEADER_TIMESTAMP);
  const signature = header(HEADER_SIGNATURE);
  if (!timestamp || !UNIX_SECONDS.test(timestamp)) return unsigned(`${HEADER_TIMESTAMP} must be present and hold unix seconds`);
  if (!signature) return unsigned(`${HEADER_SIGNATURE} is missing`);
  if (!(await verifyWebhook(key, timestamp, body, signature))) {
    return unsigned(`${HEADER_SIGNATURE} does not match: expected sha256=<hex HMAC-SHA256(channel key, "<timestamp>.<raw body>")>`);
  }
  return checkTime(HEADER_TIMESTAMP, timestamp, nowMs);
}

async function checkStandardScheme(key: string, header: HeaderOf, body: Uint8Array, nowMs: number): Promise<SenderCheck> {
  const id = header(HEADER_WEBHOOK_ID);
  const timestamp = header(HEADER_WEBHOOK_TIMESTAMP);
  const signature = header(HEADER_WEBHOOK_SIGNATURE);
  if (!id || !WEBHOOK_ID_PATTERN.test(id)) return unsigned(`${HEADER_WEBHOOK_ID} must be present: 1-256 printable ASCII characters without spaces or commas`);
  if (!timestamp || !UNIX_SECONDS.test(timestamp)) return unsigned(`${HEADER_WEBHOOK_TIMESTAMP} must be present and hold unix seconds`);
  if (!signature) return unsigned(`${HEADER_WEBHOOK_SIGNATURE} is missing`);
  if (!(await verifyStandardWebhook(key, id, timestamp, body, signature))) {
    return unsigned(`${HEADER_WEBHOOK_SIGNATURE} does not match: expected v1,<base64 HMAC-SHA256(channel key, "<id>.<timestamp>.<raw body>")>`);
  }
  return checkTime(HEADER_WEBHOOK_TIMESTAMP, timestamp, nowMs);
}

function checkTime(name: string, timestamp: string, nowMs: number): SenderCheck {
  const skewSeconds = Math.abs(nowMs / 1000 - Number(timestamp));
  if (skewSeconds <= MAX_TIMESTAMP_SKEW_SECONDS) return { ok: true };
  const message = `${name} is ${Math.round(skewSeconds)} s from the server clock (at most ${MAX_TIMESTAMP_SKEW_SECONDS} s)`;
  return { ok: false, code: ErrorCode.STALE_TIMESTAMP, message, signed: true };
}

function unsigned(message: string): SenderCheck {
  return { ok: false, code: ErrorCode.BAD_SIGNATURE, message, signed: false };
}
