/**
 * The benchmark's publisher, in its own process: posts the events of the
 * steady phase one every `intervalMs` (each on its own schedule, not waiting
 * for the previous answer) and those of the burst phase all at once in
 * batches. Each event is stamped with its send time just before it is
 * signed (hub) and posted.
 */
import { HubClient } from "../../dev/hub-client.ts";
import { withTimeout } from "../../dev/deadline.ts";
import type { HubEventInput } from "../../protocol/index.ts";
import { BENCH_CHANNEL, benchEvent, nowMs, type ServerInfo } from "./bench-event.ts";
import { serve } from "./child.ts";

const POST_TIMEOUT_MS = 60_000;

export interface PhaseSent {
  /** Send time of the phase's first event. */
  readonly firstSentAtMs: number;
  readonly failedPosts: number;
  readonly firstFailure: string | null;
}

const signer = new HubClient("http://unused");

async function post(server: ServerInfo, events: HubEventInput[]): Promise<void> {
  const body = JSON.stringify(events.length === 1 ? events[0] : { events });
  const headers = server.target === "hub" ? await signer.signedHeaders(BENCH_CHANNEL, body) : { "content-type": "application/json" };
  const res = await withTimeout(fetch(server.publishUrl, { method: "POST", body, headers }), POST_TIMEOUT_MS, "POST");
  if (!res.ok) throw new Error(`POST answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
  await res.arrayBuffer();
}

async function settle(posts: Promise<void>[], firstSentAtMs: number): Promise<PhaseSent> {
  const results = await Promise.allSettled(posts);
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
  return { firstSentAtMs, failedPosts: failed.length, firstFailure: failed[0] ? String(failed[0].reason) : null };
}

async function steady(server: ServerInfo, firstIndex: number, count: number, intervalMs: number): Promise<PhaseSent> {
  const posts: Promise<void>[] = [];
  const start = performance.now();
  let firstSentAtMs = NaN;
  for (let i = 0; i < count; i++) {
    const wait = start + i * intervalMs - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const sentAtMs = nowMs();
    if (i === 0) firstSentAtMs = sentAtMs;
    posts.push(post(server, [benchEvent(firstIndex + i, sentAtMs)]));
  }
  return settle(posts, firstSentAtMs);
}

async function burst(server: ServerInfo, firstIndex: number, count: number, batchSize: number): Promise<PhaseSent> {
  const firstSentAtMs = nowMs();
  const posts: Promise<void>[] = [];
  for (let from = 0; from < count; from += batchSize) {
    const sentAtMs = nowMs();
    const events = Array.from({ length: Math.min(batchSize, count - from) }, (_, i) => benchEvent(firstIndex + from + i, sentAtMs));
    posts.push(post(server, events));
  }
  return settle(posts, firstSentAtMs);
}

/** One request on the connection the phases will use, and one signature: neither is part of the first event's latency. */
async function warm(server: ServerInfo): Promise<void> {
  await signer.signedHeaders(BENCH_CHANNEL, "{}");
  const res = await withTimeout(fetch(server.publishUrl, { method: "GET" }), POST_TIMEOUT_MS, "GET");
  await res.arrayBuffer();
}

export type PublisherCommand =
  | { readonly cmd: "warm"; readonly server: ServerInfo }
  | { readonly cmd: "steady"; readonly server: ServerInfo; readonly firstIndex: number; readonly count: number; readonly intervalMs: number }
  | { readonly cmd: "burst"; readonly server: ServerInfo; readonly firstIndex: number; readonly count: number; readonly batchSize: number };

serve<PublisherCommand>(async (command) => {
  switch (command.cmd) {
    case "warm":
      return warm(command.server);
    case "steady":
      return steady(command.server, command.firstIndex, command.count, command.intervalMs);
    case "burst":
      return burst(command.server, command.firstIndex, command.count, command.batchSize);
  }
});
