/**
 * Error codes of HTTP error bodies `{ "error": { code, message, details? } }`
 * and of WebSocket `error` frames. The HTTP status of each is fixed.
 */
export const ErrorCode = {
  /** 400: the channel name does not match CHANNEL_PATTERN. */
  BAD_CHANNEL: "bad_channel",
  /** 401: the signature headers are missing, malformed, or not made with this channel's key. */
  BAD_SIGNATURE: "bad_signature",
  /** 401: X-Hub-Timestamp more than MAX_TIMESTAMP_SKEW_SECONDS from the server clock. */
  STALE_TIMESTAMP: "stale_timestamp",
  /** 413: body larger than MAX_WEBHOOK_BODY_BYTES. */
  TOO_LARGE: "too_large",
  /** 400: body (or a WebSocket frame) is not JSON. */
  BAD_JSON: "bad_json",
  /** 422: an event does not match the schema; details list every issue. */
  INVALID_EVENT: "invalid_event",
  /** 400: a query parameter or request body (other than events) is invalid. */
  BAD_REQUEST: "bad_request",
  /** 401: missing, invalid or expired dashboard token or ticket. */
  UNAUTHORIZED: "unauthorized",
  /** 403: the ticket does not grant this channel. */
  FORBIDDEN: "forbidden",
  /** 404: no such route. */
  NOT_FOUND: "not_found",
  /** 405: the route exists, the method does not. */
  METHOD_NOT_ALLOWED: "method_not_allowed",
  /** 400 (WebSocket only): a frame the server does not understand. */
  BAD_FRAME: "bad_frame",
  /** 429: too many frames or connections, webhook requests or events on a channel, or ticket requests; see `Retry-After`. */
  RATE_LIMITED: "rate_limited",
  /** 500: a bug or an outage on our side; nothing was stored. */
  INTERNAL: "internal",
  /** 503: a secret the route needs (named in the message) is missing or empty; nothing was stored. */
  NOT_CONFIGURED: "not_configured",
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const ERROR_STATUS: Readonly<Record<ErrorCode, number>> = {
  bad_channel: 400,
  bad_signature: 401,
  stale_timestamp: 401,
  too_large: 413,
  bad_json: 400,
  invalid_event: 422,
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  bad_frame: 400,
  rate_limited: 429,
  internal: 500,
  not_configured: 503,
};

export interface ErrorBody {
  readonly error: {
    readonly code: ErrorCode;
    readonly message: string;
    readonly details?: unknown;
  };
}

/** One schema problem, as listed in `invalid_event` details. */
export interface EventIssue {
  /** Index of the event in the batch (0 for a single event). */
  readonly index: number;
  /** Dot path inside the event, e.g. `data.task.status`; empty for the event itself. */
  readonly path: string;
  readonly message: string;
}
