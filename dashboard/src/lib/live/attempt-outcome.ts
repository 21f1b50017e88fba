/**
 * What the end of one socket attempt means for the next step, and the words
 * the connection bar shows for it. A pure decision, so every case is
 * table-tested, plus the one HTTP check it may ask for (checkHubReachable).
 */
import { CloseCode, HubError, Paths, isRetryableClose, messageOf, trimBaseUrl } from "../../../../protocol/index.ts";
import { TicketDeniedError } from "./tickets.ts";
import { ABNORMAL_CLOSURE, type Clock } from "./types.ts";

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
  if (!isRetryableClose(code)) {
    const why = serverError ?? (reason || `close code ${code}`);
    if (code === CloseCode.PROTOCOL_ERROR) return { kind: "stop", phase: "offline", message: `the server refused this dashboard's frames (${why}); reload the page` };
    return { kind: "stop", phase: "denied", message: `access denied: ${why}` };
  }
  // The ticket request got no HTTP answer: the hub is down or the network is gone.
  if (queryError && !(queryError instanceof HubError)) return { kind: "retry", message: `hub unreachable: ${messageOf(queryError)}` };
  const message = describeRetryableClose(code, reason, serverError, queryError);
  return hadHello || queryError ? { kind: "retry", message } : { kind: "check-reachability", message };
}

function describeRetryableClose(code: number, reason: string, serverError: string | null, queryError: unknown): string {
  if (queryError) return `could not get a ticket: ${messageOf(queryError)}`;
  if (code === CloseCode.RESTARTING) return "the server is restarting";
  if (code === CloseCode.RATE_LIMITED) return `rate limited: ${serverError ?? (reason || "too busy")}`;
  if (code === ABNORMAL_CLOSURE) return `connection lost${reason ? ` (${reason})` : ""}`;
  return `connection closed (${code}${reason ? ` ${reason}` : ""})`;
}

export type Reachability = { readonly reachable: true } | { readonly reachable: false; readonly why: string };

export interface ReachabilityCheckOptions {
  readonly baseUrl: string;
  readonly fetch: typeof fetch;
  readonly clock: Clock;
  /** No answer within this counts as unreachable. */
  readonly timeoutMs: number;
}

/**
 * Tells a blocked WebSocket from a hub that is down. A socket attempt that
 * got no hello looks the same in both cases (a 1006, a timeout), and the
 * ticket that went with it may have come from the cache, so it proves
 * nothing. One plain `GET /api/health` does: an answer means HTTP gets
 * through and only the WebSocket path fails (a proxy, a firewall), so
 * polling will help; no answer means the hub is down or the network is gone,
 * and polling would fail just the same. Resolves (never rejects).
 */
export async function checkHubReachable(options: ReachabilityCheckOptions): Promise<Reachability> {
  const abort = new AbortController();
  const cancelTimeout = options.clock.schedule(() => abort.abort(new Error(`no answer within ${options.timeoutMs / 1000} s`)), options.timeoutMs);
  try {
    const res = await options.fetch(`${trimBaseUrl(options.baseUrl)}${Paths.health}`, { signal: abort.signal, cache: "no-store" });
    // Only the status matters; release the connection.
    void res.body?.cancel().catch(() => {});
    // A proxy's 502/504 means the hub behind it is down: polling would get the same.
    if (!res.ok) return { reachable: false, why: `GET ${Paths.health} answered HTTP ${res.status}` };
    return { reachable: true };
  } catch (error) {
    return { reachable: false, why: `GET ${Paths.health} failed (${messageOf(abort.signal.aborted ? abort.signal.reason : error)})` };
  } finally {
    cancelTimeout();
  }
}
