/**
 * Webhook signatures: `X-Hub-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`.
 * WebCrypto only, so the Worker, the bridge (Node ≥ 22) and tests share it.
 */
const encoder = new TextEncoder();

const SIGNATURE_PREFIX = "sha256=";

async function hmacKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
}

function toHex(bytes: ArrayBuffer): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function fromHex(hex: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[0-9a-f]{64}$/i.test(hex)) return null;
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function signedBytes(timestamp: string, body: string | Uint8Array): Uint8Array<ArrayBuffer> {
  const head = encoder.encode(`${timestamp}.`);
  const tail = typeof body === "string" ? encoder.encode(body) : body;
  const out = new Uint8Array(head.length + tail.length);
  out.set(head, 0);
  out.set(tail, head.length);
  return out;
}

/** The header value for a body sent at `timestamp` (unix seconds, as sent in X-Hub-Timestamp). */
export async function signWebhook(secret: string, timestamp: string, body: string | Uint8Array): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(secret), signedBytes(timestamp, body));
  return SIGNATURE_PREFIX + toHex(mac);
}

/** Constant-time check (WebCrypto verify) of a signature header against the raw body. */
export async function verifyWebhook(secret: string, timestamp: string, body: Uint8Array, header: string): Promise<boolean> {
  if (!header.startsWith(SIGNATURE_PREFIX)) return false;
  const mac = fromHex(header.slice(SIGNATURE_PREFIX.length));
  if (!mac) return false;
  return crypto.subtle.verify("HMAC", await hmacKey(secret), mac, signedBytes(timestamp, body));
}

/** Headers for a signed webhook request. */
export async function webhookHeaders(secret: string, body: string, nowMs = Date.now()): Promise<Record<string, string>> {
  const timestamp = String(Math.floor(nowMs / 1000));
  return {
    "content-type": "application/json",
    "x-hub-timestamp": timestamp,
    "x-hub-signature": await signWebhook(secret, timestamp, body),
  };
}
