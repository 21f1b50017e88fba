/**
 * Who is looking: a viewer presents a ticket and may see only the channels it
 * grants. The dashboard token itself is refused here: it buys tickets and
 * nothing else, so every connection expires and a rotation revokes them all.
 */
import { CHANNEL_NAME_RULE, CloseCode, ErrorCode, isChannelName } from "../../protocol/index.ts";
import type { Env } from "../env.ts";
import { secretsEqual } from "./constant-time.ts";
import { grants, ticketKey, verifyTicket, type TicketClaims } from "./tickets.ts";

/** Why a viewer is turned away: as an HTTP error (the code's status) or as a socket close. */
interface ViewerRefusal {
  readonly ok: false;
  readonly errorCode: ErrorCode;
  readonly closeCode: CloseCode;
  readonly message: string;
}

type ViewerAuthorization = { readonly ok: true; readonly claims: TicketClaims } | ViewerRefusal;

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

/** What a viewer who presents the dashboard token itself is told. */
export const TOKEN_IS_NOT_A_TICKET = "the dashboard token is not a ticket; trade it for one with POST /api/auth/ticket";

/**
 * The one check of a viewer: a valid channel name (when one is asked for), a valid ticket,
 * and a ticket that grants that channel. `channel` null asks for
 * no channel in particular (the channel list filters by the claims instead).
 */
export async function authorizeViewer(env: Env, credential: string | null, channel: string | null, nowSeconds: number): Promise<ViewerAuthorization> {
  if (channel !== null && !isChannelName(channel)) return refusal(ErrorCode.BAD_CHANNEL, CloseCode.PROTOCOL_ERROR, CHANNEL_NAME_RULE);
  if (!credential) return unauthorized("a ticket is required (Authorization: Bearer <ticket>, or ?ticket= on the WebSocket)");
  const check = await verifyTicket(await ticketKeyFor(env), credential, nowSeconds);
  if (!check.ok) {
    // Checked only after the ticket failed, so a viewer with a ticket never pays for the comparison.
    if (await isDashboardToken(env, credential)) return unauthorized(TOKEN_IS_NOT_A_TICKET);
    return unauthorized(`${TICKET_PROBLEMS[check.reason]}; get a new one from POST /api/auth/ticket`);
  }
  const claims = check.claims;
  if (channel !== null && !grants(claims, channel)) return refusal(ErrorCode.FORBIDDEN, CloseCode.FORBIDDEN, `the ticket does not grant channel "${channel}"`);
  return { ok: true, claims };
}

const TICKET_PROBLEMS = { malformed: "the ticket is malformed", bad_signature: "the ticket's signature is invalid", expired: "the ticket has expired" } as const;

function refusal(errorCode: ErrorCode, closeCode: CloseCode, message: string): ViewerRefusal {
  return { ok: false, errorCode, closeCode, message };
}

function unauthorized(message: string): ViewerRefusal {
  return refusal(ErrorCode.UNAUTHORIZED, CloseCode.UNAUTHORIZED, message);
}
