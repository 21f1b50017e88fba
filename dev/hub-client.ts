/**
 * A small client of the hub's HTTP API for tests and scripts: signs
 * webhooks, gets tickets, reads snapshots. Works against any fetch (SELF in
 * workerd, global fetch in Node).
 */
import { Paths, webhookHeaders, type SnapshotResponse, type TicketResponse } from "../protocol/index.ts";
import { TEST_SECRETS } from "./secrets.ts";

type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export class HubClient {
  constructor(
    readonly baseUrl: string,
    readonly fetcher: FetchLike = (input, init) => fetch(input, init),
    readonly secrets: { WEBHOOK_SECRET: string; DASHBOARD_TOKEN: string } = TEST_SECRETS,
  ) {}

  async post(channel: string, body: unknown, opts: { secret?: string; nowMs?: number; headers?: Record<string, string> } = {}): Promise<Response> {
    const text = typeof body === "string" ? body : JSON.stringify(body);
    const headers = await webhookHeaders(opts.secret ?? this.secrets.WEBHOOK_SECRET, text, opts.nowMs);
    return this.fetcher(this.baseUrl + Paths.webhook(channel), { method: "POST", body: text, headers: { ...headers, ...opts.headers } });
  }

  async send(channel: string, events: unknown[]): Promise<{ accepted: number; duplicates: number; stale: number; head: number }> {
    const res = await this.post(channel, events.length === 1 ? events[0] : { events });
    if (res.status !== 202) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
    return res.json();
  }

  async ticket(channels?: string[], ttlSeconds?: number): Promise<string> {
    const res = await this.fetcher(this.baseUrl + Paths.ticket, {
      method: "POST",
      headers: { authorization: `Bearer ${this.secrets.DASHBOARD_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ ...(channels ? { channels } : {}), ...(ttlSeconds ? { ttlSeconds } : {}) }),
    });
    if (res.status !== 200) throw new Error(`ticket answered ${res.status}: ${await res.text()}`);
    return ((await res.json()) as TicketResponse).ticket;
  }

  async get(path: string, ticket?: string): Promise<Response> {
    return this.fetcher(this.baseUrl + path, { headers: ticket ? { authorization: `Bearer ${ticket}` } : {} });
  }

  async snapshot(channel: string): Promise<SnapshotResponse> {
    const res = await this.get(Paths.snapshot(channel), this.secrets.DASHBOARD_TOKEN);
    if (res.status !== 200) throw new Error(`snapshot answered ${res.status}: ${await res.text()}`);
    return res.json();
  }
}
