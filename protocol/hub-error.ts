/**
 * The one reading of the hub's error body `{ "error": { code, message, details? } }`
 * and the one error class every client throws for an HTTP answer that is not
 * what it asked for. A HubError means the hub (or something in front of it)
 * answered, which is what tells "the hub refuses" from "the hub is unreachable"
 * (fetch itself rejected).
 */
import type { ErrorBody, EventIssue } from "./errors.ts";

export interface ParsedErrorBody {
  /** The hub's error code, or null when the body is not the hub's error body (a proxy page, empty). */
  readonly code: string | null;
  /** The hub's message, or the start of whatever the body was. */
  readonly message: string;
  readonly details?: unknown;
}

const MAX_FOREIGN_BODY_CHARS = 300;

/** Reads an error body's text; never throws. */
export function parseErrorBody(text: string): ParsedErrorBody {
  try {
    const body = JSON.parse(text) as Partial<ErrorBody> | null;
    const error = body && typeof body === "object" ? (body.error as Record<string, unknown> | undefined) : undefined;
    if (error && typeof error === "object" && typeof error.message === "string") {
      return { code: typeof error.code === "string" ? error.code : null, message: error.message, details: error.details };
    }
  } catch {
    // Not JSON: someone else's page.
  }
  return { code: null, message: text.slice(0, MAX_FOREIGN_BODY_CHARS) };
}

/** The batch positions that `invalid_event` details name, or null when the body names none. */
export function invalidEventIndexes(details: unknown): number[] | null {
  const issues = (details as { issues?: readonly Partial<EventIssue>[] } | null | undefined)?.issues;
  if (!Array.isArray(issues)) return null;
  return [...new Set(issues.map((issue) => issue?.index).filter((index): index is number => typeof index === "number"))];
}

export class HubError extends Error {
  constructor(
    /** The response's status; a malformed 200 keeps its 200. */
    readonly status: number,
    /** The hub's error code, or null when the body was not the hub's. */
    readonly code: string | null,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "HubError";
  }

  /** True when retrying with the same credentials cannot help. */
  get denied(): boolean {
    return this.status === 401 || this.status === 403;
  }

  /** The error a non-2xx response stands for; `prefix` says what was asked ("ticket request failed"). */
  static async fromResponse(res: Response, prefix?: string): Promise<HubError> {
    const text = await res.text().catch(() => "");
    const body = parseErrorBody(text);
    const what = body.code !== null ? `HTTP ${res.status}: ${body.message}` : `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`;
    return new HubError(res.status, body.code, prefix ? `${prefix}: ${what}` : what, body.details);
  }
}

/** The message of anything thrown, for logs and status lines. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
