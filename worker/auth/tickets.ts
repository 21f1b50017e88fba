/**
 * Viewer tickets: short-lived, signed, naming the channels they grant.
 * Format: `v1.<base64url(JSON payload)>.<base64url(HMAC-SHA256(key, "v1." + payload))>`;
 * the payload is `{ c: channels, exp, n: nonce }`.
 * The key is TICKET_SECRET, or else derived from DASHBOARD_TOKEN, so
 * rotating the token also revokes every ticket.
 */
import { ALL_CHANNELS } from "../../protocol/index.ts";

const encoder = new TextEncoder();
const PREFIX = "v1";
const DERIVATION_LABEL = "taskmaster-live/ticket-key/v1";

export interface TicketClaims {
  /** Channel names, or ["*"]. */
  readonly channels: readonly string[];
  /** Unix seconds. */
  readonly exp: number;
}

type TicketCheck =
  | { readonly ok: true; readonly claims: TicketClaims }
  | { readonly ok: false; readonly reason: "malformed" | "bad_signature" | "expired" };

function b64url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromB64url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return null;
  }
}

async function hmac(key: string | Uint8Array<ArrayBuffer>, usage: ("sign" | "verify")[]): Promise<CryptoKey> {
  const raw = typeof key === "string" ? encoder.encode(key) : key;
  return crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, usage);
}

/** The ticket signing key: an explicit secret, or one derived from the dashboard token. */
export async function ticketKey(dashboardToken: string, ticketSecret?: string): Promise<CryptoKey> {
  if (ticketSecret) return hmac(ticketSecret, ["sign", "verify"]);
  const derived = await crypto.subtle.sign("HMAC", await hmac(dashboardToken, ["sign"]), encoder.encode(DERIVATION_LABEL));
  return hmac(new Uint8Array(derived), ["sign", "verify"]);
}

export async function issueTicket(key: CryptoKey, claims: TicketClaims): Promise<string> {
  // A nonce makes every ticket distinct, even two with the same claims issued in the same second: limits count per ticket.
  const nonce = b64url(crypto.getRandomValues(new Uint8Array(12)));
  const payload = b64url(encoder.encode(JSON.stringify({ c: claims.channels, exp: claims.exp, n: nonce })));
  const signed = `${PREFIX}.${payload}`;
  const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(signed));
  return `${signed}.${b64url(new Uint8Array(mac))}`;
}

export async function verifyTicket(key: CryptoKey, ticket: string, nowSeconds: number): Promise<TicketCheck> {
  const parts = ticket.split(".");
  if (parts.length !== 3 || parts[0] !== PREFIX) return { ok: false, reason: "malformed" };
  const [, payload, sig] = parts as [string, string, string];
  const mac = fromB64url(sig);
  const body = fromB64url(payload);
  if (!mac || !body) return { ok: false, reason: "malformed" };
  // WebCrypto verify compares in constant time.
  if (!(await crypto.subtle.verify("HMAC", key, mac, encoder.encode(`${PREFIX}.${payload}`)))) return { ok: false, reason: "bad_signature" };
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return { ok: false, reason: "malformed" };
  }
  const { c, exp } = (parsed ?? {}) as { c?: unknown; exp?: unknown };
  if (!Array.isArray(c) || !c.every((x) => typeof x === "string") || typeof exp !== "number") return { ok: false, reason: "malformed" };
  if (exp <= nowSeconds) return { ok: false, reason: "expired" };
  return { ok: true, claims: { channels: c, exp } };
}

export function grants(claims: TicketClaims, channel: string): boolean {
  return claims.channels.includes(ALL_CHANNELS) || claims.channels.includes(channel);
}
