/**
 * Viewer shards (issue 9, scope 6): with SHARD_SIZE=50, 300 viewers of one
 * channel spread over the channel's object and 5 ViewerShard objects. Events
 * are posted in batches while one shard is evicted mid-stream (its sockets
 * hibernate) and one of its viewers reconnects with its cursor; later the
 * channel's object itself is evicted (its sockets hibernate too). Every viewer
 * applies the same gap-free, duplicate-free seqs as the log, and ends with
 * the snapshot's state; the metrics count the viewers of every shard.
 * One Miniflare process (dev/miniflare-hub.ts), so a shard can be evicted.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { Paths, type ChannelMetrics } from "../../protocol/index.ts";
import { BENCH_LIMITS } from "../../bench/support/bench-limits.ts";
import { ev } from "../../dev/events.ts";
import { HubClient } from "../../dev/hub-client.ts";
import { MiniflareHub } from "../../dev/miniflare-hub.ts";
import { isGapFree, TestViewer } from "../e2e/support/test-viewer.ts";

const SHARD_SIZE = 50;
const VIEWERS = 300;
const BATCHES = 12;
const PER_BATCH = 10;
const EVICT_AFTER_BATCH = 5;
const EVICTED_SHARD = 2;
const EVICT_CHANNEL_AFTER_BATCH = 8;
const CHANNEL = "sharded";
const WAIT_MS = 60_000;

let hub: MiniflareHub | null = null;
const viewers: TestViewer[] = [];

beforeAll(async () => {
  hub = await MiniflareHub.start({ vars: { ...BENCH_LIMITS, SHARD_SIZE: String(SHARD_SIZE), MAX_CONNECTIONS_PER_CHANNEL: "1000", AGENT_TTL_SECONDS: "86400" } });
}, 120_000);

afterAll(async () => {
  for (const viewer of viewers) viewer.close();
  await hub?.dispose();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

it(`${VIEWERS} viewers, SHARD_SIZE ${SHARD_SIZE}: every viewer sees the log's gap-free sequence, across a shard's eviction`, { timeout: 180_000 }, async () => {
  const running = hub!;
  const startedMs = Date.now();
  const log = (line: string) => console.log(`[shards ${((Date.now() - startedMs) / 1000).toFixed(1)}s] ${line}`);
  const http = new HubClient(running.url);
  const ticket = await http.ticket([CHANNEL], 3600);
  // A state larger than the missed deltas, so the viewer that reconnects is answered with a replay (the cost rule).
  const seed = Array.from({ length: 100 }, (_, i) => ev.taskUpsert({ id: 100 + i, title: `Seeded ${i}`, description: "x".repeat(200) }));
  const { head: startHead } = await http.send(CHANNEL, seed);

  // A group at a time, so the object's own sockets are viewers 0–49 and shard k holds viewers 50k … 50k+49.
  for (let group = 0; group < VIEWERS / SHARD_SIZE; group++) {
    const added = Array.from({ length: SHARD_SIZE }, () => new TestViewer(running.url, CHANNEL, async () => ticket, { connectionTimeoutMs: 30_000 }));
    viewers.push(...added);
    await waitFor(`viewer group ${group} to get its snapshot`, () => added.every((v) => v.state !== null));
  }
  log(`${VIEWERS} viewers connected`);
  const metrics = async () => (await (await http.get(Paths.metrics(CHANNEL), ticket)).json()) as ChannelMetrics;
  await waitFor("the metrics to count the viewers of every shard", async () => (await metrics()).connections.now === VIEWERS);

  const evictedViewer = viewers[EVICTED_SHARD * SHARD_SIZE + 7]!;
  let evicted = false;
  let channelEvicted = false;
  for (let b = 0; b < BATCHES; b++) {
    const events = Array.from({ length: PER_BATCH }, (_, i) => (i % 2 === 0 ? ev.taskUpsert({ id: 1 + b, title: `Task ${b}.${i}` }) : ev.taskProgress(1 + b, 10 * i)));
    await http.send(CHANNEL, events);
    if (b === EVICT_AFTER_BATCH) {
      // Mid-stream: feeds may still be on their way to the shard.
      evicted = await running.evict(`${CHANNEL}#${EVICTED_SHARD}`, "hibernate", "ViewerShard");
      evictedViewer.socket.reconnect();
    }
    if (b === EVICT_CHANNEL_AFTER_BATCH) {
      // The channel's object forgets its feeders: it reads its shards back and feeds them from the next commit on.
      channelEvicted = await running.evict(CHANNEL, "hibernate");
    }
  }
  expect(evicted, "the shard was running when it was evicted").toBe(true);
  expect(channelEvicted, "the channel's object was running when it was evicted").toBe(true);
  log(`${BATCHES} batches posted`);

  // The snapshot sends what conflation held; then every viewer has the same head.
  const snapshot = await http.snapshot(CHANNEL);
  await waitFor(`every viewer to reach seq ${snapshot.seq}`, () => viewers.every((v) => v.seq === snapshot.seq));

  log(`every viewer at seq ${snapshot.seq}`);
  const expected = [-startHead, ...Array.from({ length: snapshot.seq - startHead }, (_, i) => startHead + 1 + i)];
  const differing = viewers.flatMap((v, i) => (JSON.stringify(v.applied) === JSON.stringify(expected) ? [] : [`viewer ${i}: ${v.applied.join(",")} (snapshot reasons: ${v.snapshotReasons.join(",")}; hellos ${v.hellos})`]));
  expect(differing, "viewers whose applied seqs are not the log's").toEqual([]);
  for (const [i, v] of viewers.entries()) {
    expect(isGapFree(v.applied), `viewer ${i} gap-free`).toBe(true);
    expect({ viewer: i, errors: v.errors, gaps: v.gaps, duplicates: v.duplicates }).toEqual({ viewer: i, errors: [], gaps: 0, duplicates: 0 });
    expect(v.state, `viewer ${i} state`).toEqual(snapshot.state);
  }
  // Its first hello had no cursor; the reconnect after the eviction resumed from it.
  expect({ hellos: evictedViewer.hellos, recovered: evictedViewer.recovered, snapshotReasons: evictedViewer.snapshotReasons }).toEqual({ hellos: 2, recovered: 1, snapshotReasons: ["no-cursor"] });

  // The log itself holds exactly these seqs.
  const logged = (await (await http.get(`${Paths.deltas(CHANNEL)}?since=${startHead}&epoch=${snapshot.epoch}&replay=always`, ticket)).json()) as { deltas: { seq: number }[] };
  expect(logged.deltas.map((d) => d.seq)).toEqual(expected.slice(1));
  await waitFor("the metrics to count every viewer after the eviction", async () => (await metrics()).connections.now === VIEWERS);
});
