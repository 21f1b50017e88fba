/**
 * REST reads of the hub, authenticated with a short-lived ticket
 * (`Authorization: Bearer <ticket>`), never with the dashboard token itself.
 */
import type { ErrorBody } from "../../../../protocol/index.ts";
import { TicketDeniedError, type TicketSource } from "../live/index.ts";

export class HubRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | null,
    message: string,
  ) {
    super(message);
    this.name = "HubRequestError";
  }

  /** True when retrying with the same token cannot help. */
  get denied(): boolean {
    return this.status === 401 || this.status === 403;
  }
}

export async function getJson<T>(baseUrl: string, tickets: TicketSource, path: string, channel?: string, signal?: AbortSignal): Promise<T> {
  let ticket: string;
  try {
    ticket = await tickets.get(channel);
  } catch (error) {
    if (error instanceof TicketDeniedError) throw new HubRequestError(401, "unauthorized", error.message);
    throw error;
  }
  const response = await fetch(baseUrl + path, { headers: { authorization: `Bearer ${ticket}` }, signal, cache: "no-store" });
  if (response.ok) return (await response.json()) as T;
  const body = (await response.json().catch(() => null)) as ErrorBody | null;
  throw new HubRequestError(response.status, body?.error?.code ?? null, body?.error?.message ?? `HTTP ${response.status}`);
}
