/**
 * What the two Node peers of the benchmark share (ws-peer.ts, socketio-peer.ts):
 * POST /publish (one event, or { "events": [...] }) broadcasts each event as
 * its own message, and each socket gets a welcome message as it connects, as
 * a plain server does.
 */
import type { IncomingMessage, Server as HttpServer, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export const WELCOME = JSON.stringify({ type: "welcome" });
export const PUBLISH_PATH = "/publish";
/** The Socket.IO event names: the welcome, and each broadcast event (its JSON text as the argument). */
export const SOCKET_IO_WELCOME = "welcome";
export const SOCKET_IO_EVENT = "e";

export interface RunningPeer {
  readonly wsUrl: string;
  readonly publishUrl: string;
  close(): Promise<void>;
}

async function readEvents(req: IncomingMessage): Promise<string[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { events?: unknown[] };
  return (Array.isArray(body.events) ? body.events : [body]).map((event) => JSON.stringify(event));
}

export function publishHandler(broadcast: (text: string) => void) {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== "POST" || req.url !== PUBLISH_PATH) {
      res.writeHead(404).end();
      return;
    }
    readEvents(req).then(
      (events) => {
        for (const text of events) broadcast(text);
        res.writeHead(204).end();
      },
      (error: unknown) => res.writeHead(400).end(String(error)),
    );
  };
}

export async function listen(server: HttpServer): Promise<number> {
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}
