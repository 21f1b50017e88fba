/**
 * The dashboard's live connection layer: framework-free, I/O injected.
 *
 * @example
 * const tickets = new TicketSource({ baseUrl: location.origin, token });
 * const live = new LiveChannel({ baseUrl: location.origin, channel: "demo", tickets, cache: browserStateCache() });
 * const unsubscribe = live.subscribe(() => render(live.state, live.status, live.activity));
 * live.start();
 */
export type { ActivityEntry, Cancel, Clock, ConnectionStatus, DebugInfo, FrameScheduler, LiveChannelOptions, PageEvents, SocketConnector, SocketHandle, SocketListeners, SocketQuery } from "./types.ts";
export { LiveChannel } from "./live-channel.ts";
export { TicketDeniedError, TicketSource, type TicketProvider } from "./tickets.ts";
export { browserStateCache, keysStartingWith, memoryStateCache, revocableStateCache, STATE_CACHE_KEY_PREFIX, type StateCache } from "./state-cache.ts";
export { ChannelStore } from "./channel-store.ts";
export { applyChangesCopyOnWrite } from "./copy-on-write.ts";
export { DEFAULT_BACKOFF, type LiveTuning } from "./tuning.ts";
export { partySocketConnector } from "./partysocket-connector.ts";
export { noPageEvents, systemClock } from "./browser-defaults.ts";
export { renderPacer, RENDER_BURST, RENDER_INTERVAL_MS, type RenderPacer } from "./render-pacer.ts";
export { parseDeltasResponse } from "./long-poller.ts";
export { redactCredentials } from "./redact.ts";
export { classifyAttemptEnd, checkHubReachable, type AttemptEnd } from "./attempt-outcome.ts";
export { SharedLiveChannel, type SharedLiveChannelOptions, type TabRole } from "./shared-live-channel.ts";
export { browserTabSharing, tabSharingName, type TabLocks, type TabPort, type TabSharing } from "./tab-sharing.ts";
export { parseTabMessage, type TabMessage } from "./tab-messages.ts";
