/**
 * The seam between LiveChannel and a WebSocket library: one connect() per
 * attempt. LiveChannel decides when to (re)connect; the connector never
 * retries on its own. In browsers it is partysocket (partysocket-connector.ts);
 * in unit tests a fake.
 */

/** Query parameters of one attempt; undefined values are left out of the URL. */
export type SocketQuery = Record<string, string | undefined>;

/** Never called synchronously from connect(): only from later events. */
export interface SocketListeners {
  open(): void;
  /** A text frame (binary frames are not part of the protocol and are dropped). */
  message(text: string): void;
  /**
   * Exactly once per attempt, when it ends by itself: a close from the server,
   * a failed upgrade, a connect timeout, or a `query` that threw. Never called
   * after the handle's own close().
   */
  close(code: number, reason: string): void;
}

export interface SocketHandle {
  /** Sends when open; returns false (and drops the text) otherwise. */
  send(text: string): boolean;
  /** Ends the attempt; no listener is called after this. */
  close(code?: number, reason?: string): void;
}

export interface SocketConnector {
  /**
   * Starts one attempt. `query` is awaited right before the socket is created,
   * so the resume cursor and the ticket are as fresh as they can be.
   */
  connect(query: () => Promise<SocketQuery>, listeners: SocketListeners): SocketHandle;
}

/** Close code reported when an attempt failed without a close frame (RFC 6455 "abnormal closure"). */
export const ABNORMAL_CLOSURE = 1006;
