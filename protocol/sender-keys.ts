/**
 * Channel-bound sender keys. A sender never holds the root `WEBHOOK_SECRET`
 * of the hub, only its channel's key, so a request captured on its way to
 * one channel verifies on no other:
 *
 *   channelKey = lowercase hex of HMAC-SHA256(key = WEBHOOK_SECRET, message = "channel:" + channel)
 *
 * The HMAC key of a signature is the UTF-8 bytes of that hex string, so a
 * channel key works with `openssl dgst -hmac "$KEY"` as the root secret did.
 * The same key signs two header schemes, both accepted by the hub:
 * - `X-Hub-Timestamp` + `X-Hub-Signature: sha256=<hex>` over "<ts>.<body>" (signature.ts);
 * - Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>` over
 *   "<id>.<ts>.<body>"), whose secret is `whsec_` + base64 of the channel key's bytes, so any
 *   `standardwebhooks` library signs for the hub.
 * WebCrypto only: the Worker, the bridge and the tests share it.
 */
const encoder = new TextEncoder();

export const STANDARD_WEBHOOKS_SECRET_PREFIX = "whsec_";
export const HEADER_WEBHOOK_ID = "webhook-id";
export const HEADER_WEBHOOK_TIMESTAMP = "webhook-timestamp";
export const HEADER_WEBHOOK_SIGNATURE = "webhook-signature";
/** A Standard Webhooks message id, as the hub accepts it: printable ASCII without spaces or commas. */
export const WEBHOOK_ID_PATTERN = /^[\x21-\x2b\x2d-\x7e]{1,256}$/;

async function hmac(key: string | Uint8Array, message: string | Uint8Array): Promise<ArrayBuffer> {
  const keyBytes = typeof key === "string" ? encoder.encode(key) : key;
  const cryptoKey = await crypto.subtle.importKey("raw", keyBytes as Uint8Array<ArrayBuffer>, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return crypto.subtle.sign("HMAC", cryptoKey, (typeof message === "string" ? encoder.encode(message) : message) as Uint8Array<ArrayBuffer>);
}

function toHex(bytes: ArrayBuffer): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function toBase64(bytes: ArrayBuffer | Uint8Array): string {
  let binary = "";
  for (const byte of bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** The sender key of one channel, derived from the hub's root secret. */
export async function deriveChannelKey(rootSecret: string, channel: string): Promise<string> {
  return toHex(await hmac(rootSecret, `channel:${channel}`));
}

/** The channel key in the form Standard Webhooks libraries take (`whsec_…`). */
export function standardWebhooksSecret(channelKey: string): string {
  return STANDARD_WEBHOOKS_SECRET_PREFIX + toBase64(encoder.encode(channelKey));
}

function concat(head: string, body: string | Uint8Array): Uint8Array {
  const headBytes = encoder.encode(head);
  const tail = typeof body === "string" ? encoder.encode(body) : body;
  const out = new Uint8Array(headBytes.length + tail.length);
  out.set(headBytes, 0);
  out.set(tail, headBytes.length);
  return out;
}

/** `v1,<base64 HMAC-SHA256(channelKey, "<id>.<timestamp>.<body>")>` */
export async function signStandardWebhook(channelKey: string, id: string, timestamp: string, body: string | Uint8Array): Promise<string> {
  return `v1,${toBase64(await hmac(channelKey, concat(`${id}.${timestamp}.`, body)))}`;
}

/** Constant-time check of a `webhook-signature` header (space-separated `v1,<sig>` entries; any may match). */
export async function verifyStandardWebhook(channelKey: string, id: string, timestamp: string, body: Uint8Array, header: string): Promise<boolean> {
  const expected = encoder.encode((await signStandardWebhook(channelKey, id, timestamp, body)).slice(3));
  let match = false;
  for (const entry of header.split(" ").slice(0, 8)) {
    const [version, signature] = entry.split(",", 2);
    if (version !== "v1" || signature === undefined) continue;
    const given = encoder.encode(signature);
    // Compare every byte of equal-length candidates: timing says nothing about where they differ.
    if (given.length !== expected.length) continue;
    let diff = 0;
    for (let i = 0; i < given.length; i++) diff |= given[i]! ^ expected[i]!;
    match ||= diff === 0;
  }
  return match;
}

/** Standard Webhooks headers for a body sent now. */
export async function standardWebhookHeaders(channelKey: string, id: string, body: string, nowMs = Date.now()): Promise<Record<string, string>> {
  const timestamp = String(Math.floor(nowMs / 1000));
  return {
    "content-type": "application/json",
    [HEADER_WEBHOOK_ID]: id,
    [HEADER_WEBHOOK_TIMESTAMP]: timestamp,
    [HEADER_WEBHOOK_SIGNATURE]: await signStandardWebhook(channelKey, id, timestamp, body),
  };
}
