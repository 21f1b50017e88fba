/**
 * Short-lived viewer tickets, traded for the dashboard token at
 * `POST /api/auth/ticket`. The WebSocket (`?ticket=`) and the polling
 * fallback (`Authorization: Bearer`) use them, so the long-lived token never
 * appears in a URL. A ticket is reused until it is close to expiry.
 *
 * get() rejects with TicketDeniedError (401: wrong token), HttpResponseError
 * (the hub answered with another error), or fetch's own error (unreachable).
 */
import { Paths, type TicketResponse } from "../../../../protocol/index.ts";
import { HttpResponseError, errorMessageOf } from "./http-error.ts";

/** 401 from the ticket endpoint: the dashboard token is wrong. Retrying will not help. */
export class TicketDeniedError extends Error {
  constructor(message = "the dashboard token was refused") {
    super(message);
    this.name = "TicketDeniedError";
  }
}

/** What LiveChannel needs from a ticket source (TicketSource, or a fake in tests). */
export interface TicketProvider {
  get(channel?: string): Promise<string>;
  /** Forgets the cached ticket, so the next get() fetches a new one. */
  invalidate(channel?: string): void;
  /** When (local clock, ms) the cached ticket should be replaced; null when none is cached. */
  refreshAt(channel?: string): number | null;
}

export interface TicketSourceOptions {
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
  now?: () => number;
  /** Asked-for lifetime; the server's default (600 s) when absent. */
  ttlSeconds?: number;
}

/** A ticket is refreshed when less than this remains ... */
export const TICKET_REFRESH_MARGIN_MS = 60_000;
/** ... or less than this share of its lifetime, for short-lived tickets. */
export const TICKET_REFRESH_FRACTION = 0.2;
/** The server's Date header has whole seconds: count a ticket as this much shorter. */
const DATE_HEADER_SLACK_MS = 1_000;

interface CachedTicket {
  readonly ticket: string;
  /** Local clock. */
  readonly refreshAtMs: number;
}

export class TicketSource implements TicketProvider {
  readonly #baseUrl: string;
  readonly #token: string;
  readonly #fetch: typeof fetch;
  readonly #now: () => number;
  readonly #ttlSeconds: number | undefined;
  readonly #cache = new Map<string, CachedTicket>();
  readonly #inFlight = new Map<string, Promise<string>>();

  constructor(options: TicketSourceOptions) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.#token = options.token;
    // Called unbound, browsers' fetch throws "Illegal invocation".
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#now = options.now ?? Date.now;
    this.#ttlSeconds = options.ttlSeconds;
  }

  /** A ticket for one channel, or for all ("*") when none is named. */
  get(channel?: string): Promise<string> {
    const key = channel ?? "*";
    const cached = this.#cache.get(key);
    if (cached && this.#now() < cached.refreshAtMs) return Promise.resolve(cached.ticket);
    let pending = this.#inFlight.get(key);
    if (!pending) {
      pending = this.#request(key).finally(() => this.#inFlight.delete(key));
      this.#inFlight.set(key, pending);
    }
    return pending;
  }

  invalidate(channel?: string): void {
    if (channel === undefined) this.#cache.clear();
    else this.#cache.delete(channel);
  }

  refreshAt(channel?: string): number | null {
    return this.#cache.get(channel ?? "*")?.refreshAtMs ?? null;
  }

  async #request(key: string): Promise<string> {
    const res = await this.#fetch(this.#baseUrl + Paths.ticket, {
      method: "POST",
      headers: { authorization: `Bearer ${this.#token}`, "content-type": "application/json" },
      body: JSON.stringify({ channels: [key], ...(this.#ttlSeconds ? { ttlSeconds: this.#ttlSeconds } : {}) }),
    });
    if (res.status === 401) throw new TicketDeniedError(`the dashboard token was refused (${await errorMessageOf(res)})`);
    if (!res.ok) throw new HttpResponseError(`ticket request failed: ${await errorMessageOf(res)}`, res.status);
    const body = (await res.json().catch(() => ({}))) as Partial<TicketResponse>;
    const expiresAt = typeof body.expiresAt === "string" ? Date.parse(body.expiresAt) : NaN;
    if (typeof body.ticket !== "string" || !Number.isFinite(expiresAt)) throw new HttpResponseError("ticket response without ticket/expiresAt", res.status);
    const localNow = this.#now();
    // Lifetime measured on the server's clock, so a skewed local clock cannot make us use an expired ticket.
    const serverNow = Date.parse(res.headers.get("date") ?? "");
    const lifetimeMs = Number.isFinite(serverNow) ? expiresAt - serverNow - DATE_HEADER_SLACK_MS : expiresAt - localNow;
    const marginMs = Math.min(TICKET_REFRESH_MARGIN_MS, lifetimeMs * TICKET_REFRESH_FRACTION);
    this.#cache.set(key, { ticket: body.ticket, refreshAtMs: localNow + lifetimeMs - marginMs });
    return body.ticket;
  }
}
