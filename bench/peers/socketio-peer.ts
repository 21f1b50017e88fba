/** The Socket.IO peer (WebSocket transport only). */
import { createServer } from "node:http";
import { Server as SocketIoServer } from "socket.io";
import { listen, PUBLISH_PATH, publishHandler, SOCKET_IO_EVENT, SOCKET_IO_WELCOME, WELCOME, type RunningPeer } from "./node-peers.ts";

export async function startSocketIoPeer(): Promise<RunningPeer> {
  let io: SocketIoServer | null = null;
  const http = createServer(publishHandler((text) => io!.emit(SOCKET_IO_EVENT, text)));
  io = new SocketIoServer(http, { transports: ["websocket"], serveClient: false });
  io.on("connection", (socket) => socket.emit(SOCKET_IO_WELCOME, WELCOME));
  const port = await listen(http);
  return {
    wsUrl: `http://127.0.0.1:${port}`,
    publishUrl: `http://127.0.0.1:${port}${PUBLISH_PATH}`,
    close: () => new Promise<void>((resolve) => void io!.close(() => resolve())),
  };
}
