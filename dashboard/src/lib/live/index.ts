/**
 * The dashboard's live connection layer: framework-free, I/O injected.
 *
 * @example
 * const tickets = new TicketSource({ baseUrl: location.origin, token });
 * const live = new LiveChannel({ baseUrl: location.origin, channel: "demo", tickets, cache: browserStateCache() });
 * const unsubscribe = live.subscribe(() => render(live.state, live.status, live.activity));
 * live.start();
 */
export type { ActivityEntry, Cancel, Clock, ConnectionStatus, DebugFrame, DebugInfo, DebugLogEntry, FrameScheduler, Phase, ReplayStats } from "./types.ts";
export { LiveChannel, type LiveChannelOptions } from "./live-channel.ts";
export { TicketDeniedError, TicketSource, TICKET_REFRESH_FRACTION, TICKET_REFRESH_MARGIN_MS, type TicketProvider, type TicketSourceOptions } from "./tickets.ts";
export { browserStateCache, isCachedChannel, memoryStateCache, STATE_CACHE_KEY_PREFIX, type CachedChannel, type StateCache } from "./state-cache.ts";
export { ChannelStore, type DeltaOutcome, type ResumeCursor, type StoredPosition } from "./channel-store.ts";
export { applyChangesCopyOnWrite } from "./copy-on-write.ts";
export { backoffDelayMs, backoffWindowMs, DEFAULT_BACKOFF, type BackoffOptions } from "./backoff.ts";
export { DEFAULT_TUNING, MAX_ACTIVITY_ENTRIES, type LiveTuning } from "./tuning.ts";
export { ABNORMAL_CLOSURE, type SocketConnector, type SocketHandle, type SocketListeners, type SocketQuery } from "./socket-connector.ts";
export { partySocketConnector, socketTargetOf, type PartySocketConnectorOptions } from "./partysocket-connector.ts";
export { browserPageEvents, defaultFrameScheduler, noPageEvents, systemClock, type PageEvents } from "./browser-defaults.ts";
export { parseDeltasResponse } from "./long-poller.ts";
export { HttpResponseError } from "./http-error.ts";
export { RENEWAL_RETRY_MS, TicketRenewal, type TicketRenewalOptions } from "./ticket-renewal.ts";
export { classifyAttemptEnd, type AttemptEnd, type AttemptOutcome } from "./attempt-outcome.ts";
export { checkHubReachable, type Reachability, type ReachabilityCheckOptions } from "./hub-reachability.ts";
