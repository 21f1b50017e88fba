/**
 * The benches measure what the hub can do, not its default rate limits: a
 * thousand sockets share one ticket and 10,000 events arrive at once. These
 * vars lift the limits (README "Limits and bounds") out of their way.
 */
export const BENCH_LIMITS: Record<string, string> = {
  INGEST_EVENTS_PER_SECOND: "1000000",
  INGEST_REQUESTS_PER_SECOND: "100000",
  SOCKET_CONNECTS_PER_TICKET_PER_MINUTE: "1000000",
};
