/**
 * npm run bench:load [-- --sockets N --channels C --wave W --shard-size S]: thousands of
 * viewer sockets on the real Worker in ONE Miniflare (workerd) process. A
 * channel's sockets beyond S (SHARD_SIZE, default the hub's 2,000) are on its
 * viewer shards; --shard-size 32768 keeps up to that many on the channel's object.
 * Prints connect rate, fan-out latency to every socket, a reconnect storm
 * with replay, memory and file descriptors, and the hub's own metrics.
 * Timings are printed, not asserted; delivery IS checked: any gap,
 * duplicate, reorder or unrecovered resume makes the exit code 1.
 * Loopback only; every wait has a timeout; Miniflare is always disposed.
 */
import { parseArgs } from "node:util";
import { DEFAULT_SHARD_SIZE, MAX_SHARD_SIZE, Paths, type ChannelMetrics } from "../protocol/index.ts";
import { ev } from "../dev/events.ts";
import { HubClient } from "../dev/hub-client.ts";
import { BENCH_LIMITS } from "./support/bench-limits.ts";
import { guardRun, positiveInt } from "./support/run-guard.ts";
import { TEST_SECRETS } from "../dev/secrets.ts";
import { withTimeout } from "../dev/deadline.ts";
import { MiniflareHub } from "../dev/miniflare-hub.ts";
import { fmtMs, percentile, summarize } from "./support/percentiles.ts";
import { formatSample, openFilesSoftLimit, sampleProcesses } from "./support/process-stats.ts";
import { SocketFleet } from "./support/socket-fleet.ts";

const WANTED_SOCKETS = 10_000;
/**
 * workerd holds 2 descriptors per accepted WebSocket (each accepted TCP
 * socket appears twice in /proc/<pid>/fd). When accept4() fails with EMFILE,
 * workerd drops EVERY connection of the listener (clients see 1006) and logs
 * nothing. So the socket count is capped by `ulimit -n`, which workerd
 * inherits, minus its own files and the HTTP connections of the bench.
 */
const WORKERD_FDS_PER_SOCKET = 2;
const WORKERD_RESERVED_FDS = 200;
const FD_LIMIT = openFilesSoftLimit();
const SOCKET_CEILING = FD_LIMIT === null ? Infinity : Math.floor((FD_LIMIT - WORKERD_RESERVED_FDS) / WORKERD_FDS_PER_SOCKET / 100) * 100;
const FANOUT_WEBHOOKS = 20;
const STORM_WEBHOOKS = 10;
// One seed event whose snapshot outweighs the deltas a resume misses: on a near-empty channel the
// cost rule answers a resume with the (cheaper) snapshot, and the storm is meant to measure replays.
const SEED_SEQS = 1;
const SEED_DETAILS_BYTES = 64_000;
const WAVE_TIMEOUT_MS = 60_000;
const DELIVERY_TIMEOUT_MS = 60_000;
const CLOSE_TIMEOUT_MS = 60_000;
const HTTP_TIMEOUT_MS = 30_000;
/** The whole run is abandoned (and cleaned up) after this. */
const WATCHDOG_MS = 240_000;
const METRICS_CHANNELS_SHOWN = 3;

const { values: args } = parseArgs({
  options: {
    sockets: { type: "string", default: String(Math.min(WANTED_SOCKETS, SOCKET_CEILING)) },
    channels: { type: "string", default: "1" },
    wave: { type: "string", default: "500" },
    "shard-size": { type: "string", default: String(DEFAULT_SHARD_SIZE) },
  },
});
const SOCKETS = positiveInt("sockets", args.sockets);
const CHANNELS = positiveInt("channels", args.channels);
const WAVE_SIZE = positiveInt("wave", args.wave);
const SHARD_SIZE = positiveInt("shard-size", args["shard-size"]);
// The hub would fall back to its default for a larger value (an invalid var never switches a limit off).
if (SHARD_SIZE > MAX_SHARD_SIZE) throw new Error(`--shard-size must be at most ${MAX_SHARD_SIZE}, got ${SHARD_SIZE}`);


/** What cleanup must release, whichever step failed. */
const live: { hub: MiniflareHub | null; fleet: SocketFleet | null } = { hub: null, fleet: null };
const guard = guardRun(async () => {
  live.fleet?.terminate();
  await live.hub?.dispose().catch((error: unknown) => console.error(`dispose: ${String(error)}`));
}, WATCHDOG_MS);

const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const rate = (n: number, ms: number) => `${Math.round(n / (ms / 1000))} sockets/s`;

async function main(): Promise<boolean> {
  const t0 = performance.now();
  const hub = (live.hub = await MiniflareHub.start({ vars: { MAX_CONNECTIONS_PER_CHANNEL: String(SOCKETS + 100), SHARD_SIZE: String(SHARD_SIZE), ...BENCH_LIMITS } }));
  const client = new HubClient(hub.url, (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) }));
  const runId = Date.now().toString(36);
  const channels = Array.from({ length: CHANNELS }, (_, i) => `load-${runId}-${i}`);
  console.log(`taskmaster-live load bench — Miniflare (one workerd) on ${hub.url}, Node ${process.version}`);
  const shardsPerChannel = Math.max(0, Math.ceil(SOCKETS / CHANNELS / SHARD_SIZE) - 1);
  console.log(`${SOCKETS} sockets over ${CHANNELS} channel(s), waves of ${WAVE_SIZE}; SHARD_SIZE ${SHARD_SIZE} (${shardsPerChannel} viewer shard(s) per channel); bundle built and runtime started in ${sec(performance.now() - t0)}`);
  if (SOCKET_CEILING < WANTED_SOCKETS) {
    console.log(`fd ceiling: ulimit -n ${FD_LIMIT} allows ~${SOCKET_CEILING} sockets in one workerd (${WORKERD_FDS_PER_SOCKET} fds each); the default ${WANTED_SOCKETS} is capped to that`);
  }
  if (SOCKETS > SOCKET_CEILING) console.log(`warning: --sockets ${SOCKETS} is over that ceiling: expect accept4() EMFILE in workerd, which drops every connection`);
  console.log(`start:    ${formatSample(sampleProcesses(hub.workerdPid))}\n`);

  /** One single-event webhook per channel, concurrently; every channel must answer head = seq. */
  const postAll = async (seq: number): Promise<void> => {
    // task.upsert, not task.progress: conflation would merge progress updates into fewer seqs.
    const answers = await Promise.all(channels.map((c) => client.send(c, [ev.taskUpsert({ id: 2, title: `load ${seq}`, status: "in-progress" })])));
    const wrong = answers.find((a) => a.head !== seq);
    if (wrong) throw new Error(`webhook for seq ${seq} answered head ${wrong.head}`);
  };

  const seed = ev.taskUpsert({ id: 1, title: "seed", status: "pending", details: "x".repeat(SEED_DETAILS_BYTES) });
  await Promise.all(channels.map((c) => client.send(c, [seed])));

  // 1. Connect.
  const fleet = (live.fleet = new SocketFleet(hub.url.replace("http", "ws"), channels, SOCKETS));
  const ticket = () => client.ticket(channels);
  const opened = await fleet.openAll({ waveSize: WAVE_SIZE, ticket, resume: false, waveTimeoutMs: WAVE_TIMEOUT_MS });
  const waves = (r: { waveMs: number[] }) => `per wave of ${WAVE_SIZE}: first ${fmtMs(r.waveMs[0]!)}, p50 ${fmtMs(percentile(r.waveMs, 50))}, last ${fmtMs(r.waveMs.at(-1)!)}`;
  console.log(`connect:  ${SOCKETS} sockets (hello + snapshot each) in ${sec(opened.ms)} = ${rate(SOCKETS, opened.ms)}; ${waves(opened)}`);
  console.log(`          ${formatSample(sampleProcesses(hub.workerdPid))}`);

  // 2. Fan-out: one webhook at a time, POST → the moment every socket applied it.
  const toAll: number[] = [];
  const posts: number[] = [];
  for (let seq = SEED_SEQS + 1; seq <= SEED_SEQS + FANOUT_WEBHOOKS; seq++) {
    const everyone = fleet.waitAll(seq, DELIVERY_TIMEOUT_MS);
    const tp = performance.now();
    await postAll(seq);
    posts.push(performance.now() - tp);
    toAll.push((await everyone) - tp);
  }
  console.log(`fan-out:  ${FANOUT_WEBHOOKS} webhooks × ${SOCKETS} sockets, POST → every socket: ${summarize(toAll)}`);
  console.log(`          webhook 202 round trip: p50 ${fmtMs(percentile(posts, 50))}, max ${fmtMs(Math.max(...posts))}`);
  console.log(`          ${formatSample(sampleProcesses(hub.workerdPid))}`);

  // 3. Reconnect storm: drop everyone, resume everyone with since/epoch while webhooks arrive.
  const closeMs = await fleet.closeAll(CLOSE_TIMEOUT_MS);
  console.log(`close:    ${SOCKETS} clean closes (1000) acknowledged in ${sec(closeMs)}`);
  const head = SEED_SEQS + FANOUT_WEBHOOKS + STORM_WEBHOOKS;
  let posting: Promise<void> = Promise.resolve();
  let posted = 0;
  const ts = performance.now();
  const resumed = await fleet.openAll({
    waveSize: WAVE_SIZE,
    ticket,
    resume: true,
    waveTimeoutMs: WAVE_TIMEOUT_MS,
    // Spread the webhooks over the waves, one POST at a time, concurrent with the opening sockets.
    onWave: (wave, waves) => {
      const due = Math.min(STORM_WEBHOOKS, Math.ceil(((wave + 1) * STORM_WEBHOOKS) / waves));
      while (posted < due) {
        const seq = SEED_SEQS + FANOUT_WEBHOOKS + ++posted;
        posting = posting.then(() => postAll(seq));
      }
    },
  });
  await withTimeout(posting, DELIVERY_TIMEOUT_MS, "storm webhooks were not accepted");
  const caughtUp = (await fleet.waitAll(head, DELIVERY_TIMEOUT_MS)) - ts;
  console.log(`storm:    ${SOCKETS} resumes (since/epoch) in ${sec(resumed.ms)} = ${rate(SOCKETS, resumed.ms)}, with ${STORM_WEBHOOKS} webhooks arriving meanwhile; ${waves(resumed)}`);
  console.log(`          every socket caught up to seq ${head} after ${sec(caughtUp)}; hello{recovered:true} on ${fleet.recoveredAtLeast(1)} of ${SOCKETS}`);
  console.log(`          ${formatSample(sampleProcesses(hub.workerdPid))}`);

  // 4. The hub's own view.
  console.log("");
  for (const channel of channels.slice(0, METRICS_CHANNELS_SHOWN)) {
    const res = await client.get(Paths.metrics(channel), await client.viewerTicket());
    if (res.status !== 200) throw new Error(`metrics of ${channel} answered ${res.status}: ${await res.text()}`);
    const m = (await res.json()) as ChannelMetrics;
    console.log(
      `hub metrics ${channel}: ingest→broadcast p50 ${m.ingestToBroadcastMs.p50} ms, p99 ${m.ingestToBroadcastMs.p99} ms (${m.ingestToBroadcastMs.samples} samples); ` +
        `framesOut ${m.framesOut}, bytesOut ${m.bytesOut}; connections now ${m.connections.now}, peak ${m.connections.peak}; replays recovered ${m.replays.recovered}, snapshot ${m.replays.snapshot}; head ${m.log.head}`,
    );
  }
  if (channels.length > METRICS_CHANNELS_SHOWN) console.log(`(metrics of ${channels.length - METRICS_CHANNELS_SHOWN} more channels not shown)`);

  // 5. Verdict.
  const unrecovered = SOCKETS - fleet.recoveredAtLeast(1);
  const behind = fleet.notAt(head);
  const logs = [...hub.logs.byEvent].map(([k, n]) => `${k} ${n}`).join(", ");
  console.log(`worker log lines: ${logs || "none"}`);
  for (const line of hub.logs.errors) console.log(`  worker/runtime: ${line}`);
  console.log(`frames received by the fleet: ${fleet.framesIn}`);
  console.log(`\ndelivery: ${fleet.violationCount} violations, ${unrecovered} sockets without hello{recovered:true}, ${behind} sockets not at seq ${head}`);
  for (const v of fleet.violations) console.log(`  ${v}`);
  if (fleet.violationCount > fleet.violations.length) console.log(`  … and ${fleet.violationCount - fleet.violations.length} more`);
  return fleet.violationCount === 0 && unrecovered === 0 && behind === 0;
}

let ok = false;
try {
  ok = await main();
} catch (error) {
  console.error(`\nload bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  const { fleet, hub } = live;
  if (fleet && fleet.violations.length > 0) console.error(`violations so far (${fleet.violationCount}), the first ${Math.min(10, fleet.violations.length)}:\n  ${fleet.violations.slice(0, 10).join("\n  ")}`);
  if (SOCKETS > SOCKET_CEILING) console.error(`--sockets ${SOCKETS} is over the fd ceiling of ~${SOCKET_CEILING} (ulimit -n ${FD_LIMIT}): see the note on WORKERD_FDS_PER_SOCKET in bench/load.ts`);
  if (hub) {
    console.error(`at failure: ${formatSample(sampleProcesses(hub.workerdPid))}`);
    console.error(`worker log lines: ${[...hub.logs.byEvent].map(([k, n]) => `${k} ${n}`).join(", ") || "none"}`);
    for (const line of hub.logs.errors) console.error(`  worker/runtime: ${line}`);
  }
} finally {
  const tc = performance.now();
  await guard.finish();
  console.log(`cleanup: sockets closed, Miniflare disposed in ${sec(performance.now() - tc)}`);
}
process.exit(ok ? 0 : 1);
