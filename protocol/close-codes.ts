/**
 * WebSocket close codes the hub sends. A client must not reconnect after a
 * code in {@link TERMINAL_CLOSE_CODES} without user action (new token, new
 * channel, fixed client); every other code means "reconnect with backoff".
 */
export const CloseCode = {
  /**
   * Ticket missing, invalid or expired, also on an open connection whose ticket expired
   * without an `auth` renewal. Terminal: get a new ticket (the dashboard token may be wrong).
   */
  UNAUTHORIZED: 4001,
  /** The ticket does not grant this channel. Terminal. */
  FORBIDDEN: 4003,
  /** The client kept sending frames the server cannot understand. Terminal: the client is broken. */
  PROTOCOL_ERROR: 4400,
  /** Too many frames, or too many connections on the channel. Retry later, with backoff. */
  RATE_LIMITED: 4429,
  /**
   * The channel was deleted (`DELETE /webhooks/:channel`). The client drops its cached state;
   * it may reconnect later and will find an empty channel (a new epoch, so no resume applies).
   */
  CHANNEL_DELETED: 4404,
  /** The server is restarting, or could not replay the log this time. Retry (with jitter); resume with `since`. */
  RESTARTING: 1012,
} as const;

export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

const TERMINAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  CloseCode.UNAUTHORIZED,
  CloseCode.FORBIDDEN,
  CloseCode.PROTOCOL_ERROR,
]);

/** True when a client may reconnect on its own after this close code. */
export function isRetryableClose(code: number): boolean {
  return !TERMINAL_CLOSE_CODES.has(code);
}
