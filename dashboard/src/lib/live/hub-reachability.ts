/**
 * Tells a blocked WebSocket from a hub that is down. A socket attempt that
 * got no hello looks the same in both cases (a 1006, a timeout), and the
 * ticket that went with it may have come from the cache, so it proves
 * nothing. One plain `GET /api/health` does: an answer means HTTP gets
 * through and only the WebSocket path fails (a proxy, a firewall), so
 * polling will help; no answer means the hub is down or the network is gone,
 * and polling would fail just the same.
 */
import { Paths } from "../../../../protocol/index.ts";
import { messageOf } from "./http-error.ts";
import type { Clock } from "./types.ts";

export type Reachability = { readonly reachable: true } | { readonly reachable: false; readonly why: string };

export interface ReachabilityCheckOptions {
  readonly baseUrl: string;
  readonly fetch: typeof fetch;
  readonly clock: Clock;
  /** No answer within this counts as unreachable. */
  readonly timeoutMs: number;
}

/** Resolves (never rejects) with whether the hub answers `GET /api/health` with a 2xx. */
export async function checkHubReachable(options: ReachabilityCheckOptions): Promise<Reachability> {
  const abort = new AbortController();
  const cancelTimeout = options.clock.schedule(() => abort.abort(new Error(`no answer within ${options.timeoutMs / 1000} s`)), options.timeoutMs);
  try {
    const res = await options.fetch(`${options.baseUrl.replace(/\/+$/, "")}${Paths.health}`, { signal: abort.signal, cache: "no-store" });
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
