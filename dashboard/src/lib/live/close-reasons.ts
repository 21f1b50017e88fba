/** The words the connection bar shows for why a connection ended. */
import { CloseCode } from "../../../../protocol/index.ts";
import { ABNORMAL_CLOSURE } from "./socket-connector.ts";

export function describeRetryableClose(code: number, reason: string, serverError: string | null, queryError: unknown): string {
  if (queryError) return `could not get a ticket: ${queryError instanceof Error ? queryError.message : String(queryError)}`;
  if (code === CloseCode.RESTARTING) return "the server is restarting";
  if (code === CloseCode.RATE_LIMITED) return `rate limited: ${serverError ?? (reason || "too busy")}`;
  if (code === ABNORMAL_CLOSURE) return `connection lost${reason ? ` (${reason})` : ""}`;
  return `connection closed (${code}${reason ? ` ${reason}` : ""})`;
}

/** For a close code that must not be retried without user action (4001, 4003, 4400). */
export function describeTerminalClose(code: number, reason: string, serverError: string | null): { phase: "denied" | "offline"; message: string } {
  const why = serverError ?? (reason || `close code ${code}`);
  if (code === CloseCode.PROTOCOL_ERROR) return { phase: "offline", message: `the server refused this dashboard's frames (${why}); reload the page` };
  return { phase: "denied", message: `access denied: ${why}` };
}
