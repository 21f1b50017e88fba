/**
 * A share of the benchmark's client sockets, in its own process. It opens
 * its sockets at a fixed rate, times each handshake (socket requested →
 * the first message that makes the client ready: the hub's snapshot, a
 * peer's welcome), then records for every event each socket receives its
 * arrival time, and counts frames and bytes per socket. Raw `ws` clients
 * for the hub, `ws` and the partyserver room; socket.io-client (WebSocket
 * transport only) for Socket.IO.
 */
import { io, type Socket } from "socket.io-client";
import WebSocket from "ws";
import { deltasOf, type ServerFrame } from "../../protocol/index.ts";
import { withTimeout } from "../../dev/deadline.ts";
import { nowMs, parseBenchEventId, type ServerInfo } from "./bench-event.ts";
import { serve } from "./child.ts";
import { SOCKET_IO_EVENT, SOCKET_IO_WELCOME } from "./node-peers.ts";

export interface ConnectResult {
  readonly handshakeMs: number[];
  readonly firstRequestedAtMs: number;
  readonly lastReadyAtMs: number;
}

export interface FleetReport {
  /** Arrival − send time of every (socket, steady event) pair. */
  readonly steadyLatencyMs: number[];
  /** Per event index: send time, and the latest arrival at any socket of this fleet (NaN if none). */
  readonly sentAtMs: number[];
  readonly lastArrivalMs: number[];
  /** Per socket: distinct events seen, frames and bytes received (handshake included). */
  readonly distinct: number[];
  readonly frames: number[];
  readonly bytes: number[];
  readonly unexpectedCloses: number;
}

interface Client {
  readonly seen: Uint8Array;
  distinct: number;
  frames: number;
  bytes: number;
  close(): void;
}

let clients: Client[] = [];
let steadyEvents = 0;
let sentAtMs: number[] = [];
let lastArrivalMs: number[] = [];
const steadyLatencyMs: number[] = [];
let unexpectedCloses = 0;
let stopping = false;
let progress: (() => void) | null = null;

function deliver(client: Client, id: string | undefined, arrivalMs: number): void {
  const event = parseBenchEventId(id);
  if (!event || event.index >= client.seen.length || client.seen[event.index]) return;
  client.seen[event.index] = 1;
  client.distinct++;
  sentAtMs[event.index] = event.sentAtMs;
  if (!(lastArrivalMs[event.index]! >= arrivalMs)) lastArrivalMs[event.index] = arrivalMs;
  if (event.index < steadyEvents) steadyLatencyMs.push(arrivalMs - event.sentAtMs);
  progress?.();
}

/** One raw WebSocket client; `ready` resolves on the hub's snapshot or a peer's welcome. */
function openRaw(server: ServerInfo, totalEvents: number, ready: () => void, fail: (error: Error) => void): Client {
  const ws = new WebSocket(server.wsUrl, { perMessageDeflate: false });
  const client: Client = { seen: new Uint8Array(totalEvents), distinct: 0, frames: 0, bytes: 0, close: () => ws.terminate() };
  let isReady = false;
  ws.on("message", (data: Buffer) => {
    const arrivalMs = nowMs();
    client.frames++;
    client.bytes += data.length;
    const parsed = JSON.parse(data.toString("utf8")) as { type?: string; id?: string };
    if (server.target === "hub") {
      const frame = parsed as ServerFrame;
      if (frame.type === "snapshot" && !isReady) (isReady = true), ready();
      else if (frame.type === "delta" || frame.type === "deltas") for (const delta of deltasOf(frame)) deliver(client, delta.cause?.id, arrivalMs);
    } else if (parsed.type === "welcome") {
      if (!isReady) (isReady = true), ready();
    } else deliver(client, parsed.id, arrivalMs);
  });
  ws.on("error", (error) => fail(error));
  ws.on("close", (code) => {
    if (!stopping) unexpectedCloses++;
    fail(new Error(`socket closed (${code}) before it was ready`));
  });
  return client;
}

const utf8 = new TextEncoder();

function openSocketIo(server: ServerInfo, totalEvents: number, ready: () => void, fail: (error: Error) => void): Client {
  const socket: Socket = io(server.wsUrl, { transports: ["websocket"], forceNew: true, reconnection: false });
  const client: Client = { seen: new Uint8Array(totalEvents), distinct: 0, frames: 0, bytes: 0, close: () => socket.disconnect() };
  // Every Engine.IO packet as received: its type byte and its data.
  socket.io.engine?.on("packet", (packet: { data?: unknown }) => {
    client.frames++;
    client.bytes += 1 + (typeof packet.data === "string" ? utf8.encode(packet.data).byteLength : 0);
  });
  socket.on(SOCKET_IO_WELCOME, () => ready());
  socket.on(SOCKET_IO_EVENT, (text: string) => deliver(client, (JSON.parse(text) as { id?: string }).id, nowMs()));
  socket.on("connect_error", (error) => fail(error));
  socket.on("disconnect", (reason) => {
    if (!stopping) unexpectedCloses++;
    fail(new Error(`disconnected (${reason}) before it was ready`));
  });
  return client;
}

async function connect(server: ServerInfo, count: number, ratePerSecond: number, totalEvents: number, timeoutMs: number): Promise<ConnectResult> {
  sentAtMs = new Array<number>(totalEvents).fill(NaN);
  lastArrivalMs = new Array<number>(totalEvents).fill(NaN);
  const handshakeMs: number[] = [];
  const opened: Promise<void>[] = [];
  const start = performance.now();
  const firstRequestedAtMs = nowMs();
  let lastReadyAtMs = firstRequestedAtMs;
  for (let i = 0; i < count; i++) {
    const wait = start + (i * 1000) / ratePerSecond - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const requested = performance.now();
    opened.push(
      new Promise<void>((resolve, reject) => {
        let settled = false;
        const ready = () => {
          if (settled) return;
          settled = true;
          handshakeMs.push(performance.now() - requested);
          lastReadyAtMs = Math.max(lastReadyAtMs, nowMs());
          resolve();
        };
        const fail = (error: Error) => {
          if (!settled) (settled = true), reject(error);
        };
        clients.push(server.target === "socketio" ? openSocketIo(server, totalEvents, ready, fail) : openRaw(server, totalEvents, ready, fail));
      }),
    );
  }
  await withTimeout(Promise.all(opened), timeoutMs, `${count} sockets did not all become ready`);
  return { handshakeMs, firstRequestedAtMs, lastReadyAtMs };
}

/** Resolves true once every socket has seen `perSocket` distinct events, false at the timeout. */
function awaitEvents(perSocket: number, timeoutMs: number): Promise<boolean> {
  const done = () => clients.every((c) => c.distinct >= perSocket);
  if (done()) return Promise.resolve(true);
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => ((progress = null), resolve(false)), timeoutMs);
    let pending = false;
    // Checked at most once per macrotask: a check is O(sockets).
    progress = () => {
      if (pending) return;
      pending = true;
      setImmediate(() => {
        pending = false;
        if (done()) (progress = null), clearTimeout(timer), resolve(true);
      });
    };
  });
}

function report(): FleetReport {
  return {
    steadyLatencyMs,
    sentAtMs,
    lastArrivalMs,
    distinct: clients.map((c) => c.distinct),
    frames: clients.map((c) => c.frames),
    bytes: clients.map((c) => c.bytes),
    unexpectedCloses,
  };
}

function closeAll(): void {
  stopping = true;
  for (const c of clients) c.close();
  clients = [];
}

export type FleetCommand =
  | {
      readonly cmd: "connect";
      readonly server: ServerInfo;
      readonly count: number;
      readonly ratePerSecond: number;
      /** Events of both phases; indexes below `steadyEvents` are the steady phase's. */
      readonly totalEvents: number;
      readonly steadyEvents: number;
      readonly timeoutMs: number;
    }
  | { readonly cmd: "await"; readonly perSocket: number; readonly timeoutMs: number }
  | { readonly cmd: "report" };

serve<FleetCommand>(
  async (command) => {
    switch (command.cmd) {
      case "connect":
        steadyEvents = command.steadyEvents;
        return connect(command.server, command.count, command.ratePerSecond, command.totalEvents, command.timeoutMs);
      case "await":
        return awaitEvents(command.perSocket, command.timeoutMs);
      case "report":
        return report();
    }
  },
  async () => closeAll(),
);
