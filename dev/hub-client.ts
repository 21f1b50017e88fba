/**
 * A small client of the hub's HTTP API for tests and scripts: signs
 * webhooks with each channel's key (derived from the root secret it holds),
 * gets tickets, reads snapshots. Works against any fetch (SELF in workerd,
 * global fetch in Node).
 */
import { deriveChannelKey, Paths, standardWebhookHeaders, webhookHeaders, type SnapshotResponse, type TicketRequest, type TicketResponse } from "../protocol/index.ts";
import { TEST_SECRETS } from "./secrets.ts";

type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** A viewer ticket is renewed when less than this is left of it. */
const TICKET_RENEW_MARGIN_MS = 60_000;

export interface SignOptions {
  /** A channel key to sign with instead of this channel's (to prove it is refused). */
  readonly key?: string;
  /** Default "hub": X-Hub-Timestamp / X-Hub-Signature; "standard": the Standard Webhooks headers. */
  readonly scheme?: "hub" | "standard";
  readonly nowMs?: number;
  /** Added last: they replace signed ones. */
  readonly headers?: Record<string, string>;
}

export class HubClient {
  #viewer: { ticket: string; renewAtMs: number } | null = null;

  constructor(
    readonly baseUrl: string,
    readonly fetcher: FetchLike = (input, init) => fetch(input, init),
    readonly secrets: { WEBHOOK_SECRET: string; DASHBOARD_TOKEN: string } = TEST_SECRETS,
  ) {}

  /** The channel's sender key. */
  channelKey(channel: string): Promise<string> {
    return deriveChannelKey(this.secrets.WEBHOOK_SECRET, channel);
  }

  /** Signed headers for `body`: with the channel's key unless `opts.key` names another, X-Hub or Standard Webhooks. */
  async signedHeaders(channel: string, body: string, opts: SignOptions = {}): Promise<Record<string, string>> {
    const key = opts.key ?? (await this.channelKey(channel));
    const headers = opts.scheme === "standard" ? await standardWebhookHeaders(key, `msg_${crypto.randomUUID()}`, body, opts.nowMs) : await webhookHeaders(key, body, opts.nowMs);
    return { ...headers, ...opts.headers };
  }

  async post(channel: string, body: unknown, opts: SignOptions = {}): Promise<Response> {
    const text = typeof body === "string" ? body : JSON.stringify(body);
    return this.fetcher(this.baseUrl + Paths.webhook(channel), { method: "POST", body: text, headers: await this.signedHeaders(channel, text, opts) });
  }

  /** `DELETE /webhooks/:channel`, signed over the empty body. */
  async deleteChannel(channel: string, opts: SignOptions = {}): Promise<Response> {
    return this.fetcher(this.baseUrl + Paths.deleteChannel(channel), { method: "DELETE", headers: await this.signedHeaders(channel, "", opts) });
  }

  async send(channel: string, events: unknown[]): Promise<{ accepted: number; duplicates: number; stale: number; head: number }> {
    const res = await this.post(channel, events.length === 1 ? events[0] : { events });
    if (res.status !== 202) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
    return res.json();
  }

  async ticket(channels?: string[], ttlSeconds?: number): Promise<string> {
    return (await this.#requestTicket({ ...(channels ? { channels } : {}), ...(ttlSeconds ? { ttlSeconds } : {}) })).ticket;
  }

  async #requestTicket(request: TicketRequest): Promise<TicketResponse> {
    const res = await this.fetcher(this.baseUrl + Paths.ticket, {
      method: "POST",
      headers: { authorization: `Bearer ${this.secrets.DASHBOARD_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify(request),
    });
    if (res.status !== 200) throw new Error(`ticket answered ${res.status}: ${await res.text()}`);
    return res.json();
  }

  /** A ticket for every channel, reused until it is close to expiry: the credential of REST reads and sockets. */
  async viewerTicket(): Promise<string> {
    if (this.#viewer && Date.now() < this.#viewer.renewAtMs) return this.#viewer.ticket;
    const { ticket, expiresAt } = await this.#requestTicket({});
    this.#viewer = { ticket, renewAtMs: Date.parse(expiresAt) - TICKET_RENEW_MARGIN_MS };
    return ticket;
  }

  async get(path: string, ticket?: string): Promise<Response> {
    return this.fetcher(this.baseUrl + path, { headers: ticket ? { authorization: `Bearer ${ticket}` } : {} });
  }

  async snapshot(channel: string): Promise<SnapshotResponse> {
    const res = await this.get(Paths.snapshot(channel), await this.viewerTicket());
    if (res.status !== 200) throw new Error(`snapshot answered ${res.status}: ${await res.text()}`);
    return res.json();
  }
}
