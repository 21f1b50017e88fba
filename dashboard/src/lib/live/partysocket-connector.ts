/**
 * SocketConnector over partysocket. Each attempt is its own PartySocket with
 * `maxRetries: 0`, so partysocket never reconnects by itself (its delays have
 * no jitter): LiveChannel calls connect() when its own jittered backoff says
 * so, and partysocket evaluates the async `query` right before it opens the
 * socket. A fresh instance per attempt also means a stale attempt (a ticket
 * fetch that hangs, a late event) can never leak into the next one.
 */
import { PartySocket } from "partysocket";
import { Paths } from "../../../../protocol/index.ts";
import { ABNORMAL_CLOSURE, type SocketConnector, type SocketHandle } from "./types.ts";

export interface PartySocketConnectorOptions {
  /** An http(s) origin, e.g. location.origin. */
  baseUrl: string;
  channel: string;
  /** A WebSocket constructor (tests, or Node without a global WebSocket). */
  WebSocket?: unknown;
  /** The upgrade must complete within this. */
  connectionTimeoutMs?: number;
}

const DEFAULT_CONNECTION_TIMEOUT_MS = 10_000;

/** Where a channel's socket lives: `ws(s)://<host>/ws/<channel>`. */
function socketTargetOf(baseUrl: string, channel: string): { host: string; protocol: "ws" | "wss"; basePath: string } {
  const url = new URL(baseUrl);
  return { host: url.host, protocol: url.protocol === "https:" ? "wss" : "ws", basePath: Paths.socket(channel).slice(1) };
}

export function partySocketConnector(options: PartySocketConnectorOptions): SocketConnector {
  const target = socketTargetOf(options.baseUrl, options.channel);
  return {
    connect(query, listeners): SocketHandle {
      let ended = false;
      let pendingClose: { code: number; reason: string } | null = null;
      const end = (code: number, reason: string) => {
        if (ended) return;
        ended = true;
        listeners.close(code, reason);
      };
      const ps = new PartySocket({
        ...target,
        query,
        maxRetries: 0,
        connectionTimeout: options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
        ...(options.WebSocket ? { WebSocket: options.WebSocket } : {}),
      });
      ps.addEventListener("open", () => {
        if (!ended) listeners.open();
      });
      ps.addEventListener("message", (event: MessageEvent) => {
        if (!ended && typeof event.data === "string") listeners.message(event.data);
      });
      ps.addEventListener("close", (event) => {
        if (ended || pendingClose) return;
        // partysocket reports a failed connection as a synthetic clean close immediately followed by an error event.
        pendingClose = { code: event.code, reason: event.reason ?? "" };
        queueMicrotask(() => {
          if (pendingClose) end(pendingClose.code, pendingClose.reason);
        });
      });
      ps.addEventListener("error", (event) => {
        if (ended) return;
        const message = (event as { message?: unknown }).message;
        const reason = typeof message === "string" && message ? message : "connection failed";
        if (pendingClose) pendingClose = { code: ABNORMAL_CLOSURE, reason };
        else end(ABNORMAL_CLOSURE, reason);
      });
      return {
        send(text) {
          if (ended || ps.readyState !== ps.OPEN) return false;
          ps.send(text);
          return true;
        },
        close(code = 1000, reason = "closed by the client") {
          if (ended) return;
          ended = true;
          ps.close(code, reason);
        },
      };
    },
  };
}
