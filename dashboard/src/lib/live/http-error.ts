/**
 * The hub (or something in front of it) answered, but not with what was asked
 * for: an error status or a body of the wrong shape. It is reachable over
 * HTTP, which is what tells "the hub answers with an error" apart from "the
 * hub is unreachable" (fetch itself rejected: refused, reset, offline, timed out).
 */
export class HttpResponseError extends Error {
  constructor(
    message: string,
    /** The response's status; a malformed 200 keeps its 200. */
    readonly status: number,
  ) {
    super(message);
    this.name = "HttpResponseError";
  }
}

/** "HTTP <status>: <message>" from the hub's `{ "error": { code, message } }` body; just the status when the body is something else (a proxy page). */
export async function errorMessageOf(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { error?: { message?: unknown } };
    if (typeof body.error?.message === "string") return `HTTP ${res.status}: ${body.error.message}`;
  } catch {
    // Not our JSON error body.
  }
  return `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`;
}

/** The message of anything thrown, for the connection bar and the debug log. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
