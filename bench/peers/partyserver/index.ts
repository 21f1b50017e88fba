/**
 * The benchmark's `partyserver` peer: a minimal Worker with one Server class
 * whose room broadcasts what is POSTed to it, each event as its own message.
 * No persistence, no seqs, no replay: the same platform without what the hub
 * adds. partyserver's default options (not hibernating). Bundled by wrangler
 * and run in Miniflare like the hub (bench/peers/server.ts).
 *
 * POST /parties/room/<name>  body: one event, or { "events": [...] }
 * GET  /parties/room/<name>  WebSocket; the room sends {"type":"welcome"} on connect.
 */
import { routePartykitRequest, Server, type Connection } from "partyserver";

// Not exported: workerd takes every export of the main module for an entrypoint.
const WELCOME = JSON.stringify({ type: "welcome" });

export class Room extends Server {
  override onConnect(connection: Connection): void {
    connection.send(WELCOME);
  }

  override async onRequest(request: Request): Promise<Response> {
    if (request.method !== "POST") return new Response("POST only", { status: 405 });
    const body = (await request.json()) as { events?: unknown[] };
    const events = Array.isArray(body.events) ? body.events : [body];
    for (const event of events) this.broadcast(JSON.stringify(event));
    return new Response(null, { status: 204 });
  }
}

export default {
  async fetch(request: Request, env: Record<string, unknown>): Promise<Response> {
    return (await routePartykitRequest(request, env)) ?? new Response("Not Found", { status: 404 });
  },
};
