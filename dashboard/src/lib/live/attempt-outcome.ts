/**
 * What the end of one socket attempt means for the next step: a pure
 * decision, so every case is table-tested. The words come from close-reasons.ts.
 */
import { isRetryableClose } from "../../../../protocol/index.ts";
import { describeRetryableClose, describeTerminalClose } from "./close-reasons.ts";
import { HttpResponseError, messageOf } from "./http-error.ts";
import { TicketDeniedError } from "./tickets.ts";

export interface AttemptEnd {
  readonly code: number;
  readonly reason: string;
  /** The attempt got its hello: the WebSocket path works. */
  readonly hadHello: boolean;
  /** What the attempt's query (the ticket request) threw, if it did. */
  readonly queryError: unknown;
  /** The message of an error frame the server sent before closing. */
  readonly serverError: string | null;
}

export type AttemptOutcome =
  /** No retry until retry(): a refused token or ticket, or a broken client. */
  | { readonly kind: "stop"; readonly phase: "denied" | "offline"; readonly message: string }
  /** Backoff, and the attempt does not count towards polling (it got a hello, or the hub did not answer HTTP). */
  | { readonly kind: "retry"; readonly message: string }
  /** No hello although a ticket was in hand: a blocked WebSocket if the hub answers HTTP (counts), else an outage. */
  | { readonly kind: "check-reachability"; readonly message: string };

export function classifyAttemptEnd(end: AttemptEnd): AttemptOutcome {
  const { code, reason, hadHello, queryError, serverError } = end;
  if (queryError instanceof TicketDeniedError) return { kind: "stop", phase: "denied", message: `access denied: ${queryError.message}` };
  if (!isRetryableClose(code)) return { kind: "stop", ...describeTerminalClose(code, reason, serverError) };
  // The ticket request got no HTTP answer: the hub is down or the network is gone.
  if (queryError && !(queryError instanceof HttpResponseError)) return { kind: "retry", message: `hub unreachable: ${messageOf(queryError)}` };
  const message = describeRetryableClose(code, reason, serverError, queryError);
  return hadHello || queryError ? { kind: "retry", message } : { kind: "check-reachability", message };
}
