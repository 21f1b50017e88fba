/**
 * REST reads of the hub, authenticated with a short-lived ticket
 * (`Authorization: Bearer <ticket>`), never with the dashboard token itself.
 * Rejects with a HubError when the hub answers with an error (its `denied`
 * tells a wrong token from a passing failure).
 */
import { HubError, parseErrorBody } from "../../../../protocol/index.ts";
import { TicketDeniedError, type TicketSource } from "../live/index.ts";

export async function getJson<T>(baseUrl: string, tickets: TicketSource, path: string, channel?: string, signal?: AbortSignal): Promise<T> {
  let ticket: string;
  try {
    ticket = await tickets.get(channel);
  } catch (error) {
    if (error instanceof TicketDeniedError) throw new HubError(401, "unauthorized", error.message);
    throw error;
  }
  const response = await fetch(baseUrl + path, { headers: { authorization: `Bearer ${ticket}` }, signal, cache: "no-store" });
  if (response.ok) return (await response.json()) as T;
  // The page shows the hub's own words ("Access denied: <message>"), without the status in front.
  const body = parseErrorBody(await response.text().catch(() => ""));
  throw new HubError(response.status, body.code, body.code !== null ? body.message : `HTTP ${response.status}`, body.details);
}
