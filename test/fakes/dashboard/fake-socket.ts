/**
 * A SocketConnector whose sockets the test (or FakeHub) drives from the
 * server side: open, receive frames, close with a code, or fail to connect.
 * Like partysocket, it awaits the attempt's query before "creating" the socket.
 */
import type { ServerFrame } from "../../../protocol/index.ts";
import type { SocketConnector, SocketHandle, SocketListeners, SocketQuery } from "../../../dashboard/src/lib/live/index.ts";

export type FakeSocketState = "querying" | "connecting" | "open" | "closed";

export class FakeSocket implements SocketHandle {
  state: FakeSocketState = "querying";
  /** The resolved query (since / epoch / ticket), once the socket was "created". */
  params: SocketQuery | null = null;
  queryError: unknown = null;
  /** Frames the client sent, in order. */
  readonly sent: string[] = [];
  closedByClient: { code: number; reason: string } | null = null;
  /** Called for every frame the client sends (FakeHub answers resync with it). */
  onClientFrame: ((text: string) => void) | null = null;

  constructor(readonly listeners: SocketListeners) {}

  // ---- the client's side (SocketHandle) ----

  send(text: string): boolean {
    if (this.state !== "open") return false;
    this.sent.push(text);
    this.onClientFrame?.(text);
    return true;
  }

  close(code = 1000, reason = ""): void {
    if (this.state === "closed") return;
    this.closedByClient = { code, reason };
    this.state = "closed";
  }

  // ---- the server's side ----

  open(): void {
    this.#expect("connecting");
    this.state = "open";
    this.listeners.open();
  }

  receive(frame: ServerFrame | string): void {
    this.#expect("open");
    this.listeners.message(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  serverClose(code: number, reason = ""): void {
    if (this.state === "closed") throw new Error("socket already closed");
    this.state = "closed";
    this.listeners.close(code, reason);
  }

  /** The upgrade fails (blocked, refused): the socket never opens. */
  fail(): void {
    this.#expect("connecting");
    this.state = "closed";
    this.listeners.close(1006, "connection failed");
  }

  /** Frames the client sent, parsed. */
  get sentFrames(): unknown[] {
    return this.sent.map((text) => JSON.parse(text));
  }

  #expect(state: FakeSocketState): void {
    if (this.state !== state) throw new Error(`fake socket is ${this.state}, expected ${state}`);
  }
}

export class FakeSocketConnector implements SocketConnector {
  readonly sockets: FakeSocket[] = [];

  connect(query: () => Promise<SocketQuery>, listeners: SocketListeners): SocketHandle {
    const socket = new FakeSocket(listeners);
    this.sockets.push(socket);
    query().then(
      (params) => {
        if (socket.state !== "querying") return;
        socket.params = params;
        socket.state = "connecting";
      },
      (error: unknown) => {
        if (socket.state !== "querying") return;
        socket.queryError = error;
        socket.state = "closed";
        listeners.close(1006, error instanceof Error ? error.message : String(error));
      },
    );
    return socket;
  }

  get last(): FakeSocket {
    const socket = this.sockets.at(-1);
    if (!socket) throw new Error("no socket attempt yet");
    return socket;
  }
}
