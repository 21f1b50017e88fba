/**
 * Who is looking: a viewer presents a ticket (or the dashboard token itself,
 * which grants every channel) and may see only the channels it grants.
 */
import type { Env } from "../env.ts";
import { secretsEqual } from "./constant-time.ts";
import { ALL_CHANNELS, grants, ticketKey, verifyTicket, type TicketClaims } from "./tickets.ts";

export type ViewerCheck =
  | { readonly ok: true; readonly claims: TicketClaims }
  | { readonly ok: false; readonly status: 401; readonly message: string };

const keyCache = new Map<string, Promise<CryptoKey>>();

/** The ticket key for this env, derived once per isolate. */
export function ticketKeyFor(env: Env): Promise<CryptoKey> {
  const id = `${env.TICKET_SECRET ?? ""}\u0000${env.DASHBOARD_TOKEN}`;
  let key = keyCache.get(id);
  if (!key) {
    key = ticketKey(env.DASHBOARD_TOKEN, env.TICKET_SECRET);
    keyCache.set(id, key);
  }
  return key;
}

export function bearerOf(header: string | null | undefined): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return m?.[1] ?? null;
}

export async function isDashboardToken(env: Env, presented: string): Promise<boolean> {
  return Boolean(env.DASHBOARD_TOKEN) && secretsEqual(presented, env.DASHBOARD_TOKEN);
}

/** Checks a ticket (or the dashboard token). Channel grants are checked by the caller with {@link canSee}. */
export async function checkViewer(env: Env, credential: string | null, nowSeconds: number): Promise<ViewerCheck> {
  if (!credential) return { ok: false, status: 401, message: "a ticket is required (Authorization: Bearer <ticket>, or ?ticket= on the WebSocket)" };
  if (await isDashboardToken(env, credential)) return { ok: true, claims: { channels: [ALL_CHANNELS], exp: Number.MAX_SAFE_INTEGER } };
  const check = await verifyTicket(await ticketKeyFor(env), credential, nowSeconds);
  if (check.ok) return check;
  const why = { malformed: "the ticket is malformed", bad_signature: "the ticket's signature is invalid", expired: "the ticket has expired" }[check.reason];
  return { ok: false, status: 401, message: `${why}; get a new one from POST /api/auth/ticket` };
}

export const canSee = grants;
