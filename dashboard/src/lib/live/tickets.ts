/**
 * Short-lived viewer tickets, traded for the dashboard token at
 * `POST /api/auth/ticket`. The WebSocket (`?ticket=`) and the polling
 * fallback (`Authorization: Bearer`) use them, so the long-lived token never
 * appears in a URL. A ticket is reused until it is close to expiry.
 *
 * get() rejects with TicketDeniedError (401: wrong token), HubError (the hub
 * answered with another error), or fetch's own error (unreachable).
 */
import { HubError, Paths, trimBaseUrl, type TicketResponse } from "../../../../protocol/index.ts";

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
  refreshAtMs(channel?: string): number | null;
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
const TICKET_REFRESH_MARGIN_MS = 60_000;
/** ... or less than this share of its lifetime, for short-lived tickets. */
const TICKET_REFRESH_FRACTION = 0.2;
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
    this.#baseUrl = trimBaseUrl(options.baseUrl);
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

  refreshAtMs(channel?: string): number | null {
    return this.#cache.get(channel ?? "*")?.refreshAtMs ?? null;
  }

  async #request(key: string): Promise<string> {
    const res = await this.#fetch(this.#baseUrl + Paths.ticket, {
      method: "POST",
      headers: { authorization: `Bearer ${this.#token}`, "content-type": "application/json" },
      body: JSON.stringify({ channels: [key], ...(this.#ttlSeconds ? { ttlSeconds: this.#ttlSeconds } : {}) }),
    });
    if (res.status === 401) throw new TicketDeniedError(`the dashboard token was refused (${(await HubError.fromResponse(res)).message})`);
    if (!res.ok) throw await HubError.fromResponse(res, "ticket request failed");
    const body = (await res.json().catch(() => ({}))) as Partial<TicketResponse>;
    const expiresAtMs = typeof body.expiresAt === "string" ? Date.parse(body.expiresAt) : NaN;
    if (typeof body.ticket !== "string" || !Number.isFinite(expiresAtMs)) throw new HubError(res.status, null, "ticket response without ticket/expiresAt");
    const localNowMs = this.#now();
    // Lifetime measured on the server's clock, so a skewed local clock cannot make us use an expired ticket.
    const serverNowMs = Date.parse(res.headers.get("date") ?? "");
    const lifetimeMs = Number.isFinite(serverNowMs) ? expiresAtMs - serverNowMs - DATE_HEADER_SLACK_MS : expiresAtMs - localNowMs;
    const marginMs = Math.min(TICKET_REFRESH_MARGIN_MS, lifetimeMs * TICKET_REFRESH_FRACTION);
    this.#cache.set(key, { ticket: body.ticket, refreshAtMs: localNowMs + lifetimeMs - marginMs });
    return body.ticket;
  }
}
