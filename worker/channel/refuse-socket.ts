/** Refusing a WebSocket: accept it, say why in an `error` frame, then close it with the code. */
import type { CloseCode, ErrorCode, ErrorFrame } from "../../protocol/index.ts";

/** Browsers hide the status of a failed upgrade, so a refusal is a close code on an accepted socket. */
export function refuseSocket(code: CloseCode, errorCode: ErrorCode, message: string): Response {
  const pair = new WebSocketPair();
  const [client, server] = [pair[0], pair[1]];
  server.accept();
  server.send(JSON.stringify({ type: "error", code: errorCode, message } satisfies ErrorFrame));
  // A close reason holds at most 123 bytes (the messages are ASCII).
  server.close(code, message.slice(0, 120));
  return new Response(null, { status: 101, webSocket: client });
}
