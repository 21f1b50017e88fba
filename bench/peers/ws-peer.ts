/** The bare `ws` peer: the practical floor. */
import { createServer } from "node:http";
import { WebSocketServer } from "ws";
import { listen, PUBLISH_PATH, publishHandler, WELCOME, type RunningPeer } from "./node-peers.ts";

export async function startWsPeer(): Promise<RunningPeer> {
  let wss: WebSocketServer | null = null;
  const http = createServer(publishHandler((text) => {
    for (const client of wss!.clients) client.send(text);
  }));
  wss = new WebSocketServer({ server: http });
  wss.on("connection", (socket) => socket.send(WELCOME));
  const port = await listen(http);
  return {
    wsUrl: `ws://127.0.0.1:${port}/`,
    publishUrl: `http://127.0.0.1:${port}${PUBLISH_PATH}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss!.clients) client.terminate();
        wss!.close(() => http.close(() => resolve()));
      }),
  };
}
