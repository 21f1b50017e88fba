/**
 * npm run bench -- --clients N --events M [--runs R] [--targets hub,ws,socketio,partyserver]
 *
 * The hub against what users would pick instead, in one invocation, the
 * order alternated between runs: the hub (the Worker bundle in Miniflare,
 * rate limits raised, COALESCE_MS default), a bare Node `ws` server, a
 * Socket.IO server, and a `partyserver` room in Miniflare. For each target
 * a fresh server process, a publisher process and the client sockets split
 * over `--fleets` processes; times across processes are
 * `performance.timeOrigin + performance.now()`.
 *
 * Phases: connect (N sockets at --connect-rate per second), steady (M events,
 * one every --interval-ms), burst (M more events at once, in batches of
 * --burst-batch). Prints a table per run, the medians over runs and the
 * hub ÷ peer ratios; writes nothing unless --json names a file. Exits 1 if a
 * client missed an event. Numbers, not pass/fail.
 */
import { writeFileSync } from "node:fs";
import { percentile } from "./support/percentiles.ts";
import { cpuSeconds, rssBytes } from "./support/process-stats.ts";
import {
  BENCH_USAGE,
  formatRatios,
  formatResults,
  hubRatios,
  mediansOver,
  parseBenchArgs,
  runOrder,
  type BenchOptions,
  type Metrics,
  type Target,
  type TargetResults,
} from "./support/peer-bench.ts";
import type { ServerCommand, ServerInfo } from "./peers/bench-event.ts";
import { Child } from "./peers/child.ts";
import type { ConnectResult, FleetCommand, FleetReport } from "./peers/client-fleet.ts";
import type { PhaseSent, PublisherCommand } from "./peers/publisher.ts";

const SERVER_START_TIMEOUT_MS = 180_000;
const SETTLE_TIMEOUT_MS = 60_000;
const REPORT_TIMEOUT_MS = 60_000;

// Ctrl-C or a kill: exit through process.exit, so the children's groups are killed (bench/peers/child.ts).
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(signal, () => process.exit(130));

let options: BenchOptions;
try {
  options = parseBenchArgs(process.argv.slice(2));
} catch (error) {
  console.error(`${error instanceof Error ? error.message : String(error)}\n${BENCH_USAGE}`);
  process.exit(2);
}

function maxOf(xs: Iterable<number>): number {
  let max = NaN;
  for (const x of xs) if (!(max >= x)) max = Number.isNaN(x) ? max : x;
  return max;
}

const warnings: string[] = [];

async function measure(target: Target, o: BenchOptions): Promise<Metrics> {
  const children: Child<{ readonly cmd: string }>[] = [];
  try {
    const server = Child.start<ServerCommand>(`${target} server`, "./server.ts", ["--target", target]);
    children.push(server);
    const info = await server.request<ServerInfo>({ cmd: "ready" }, SERVER_START_TIMEOUT_MS);
    const cpuAtStart = info.statsPid === null ? null : cpuSeconds(info.statsPid);
    const fleets = Array.from({ length: o.fleets }, (_, i) => Child.start<FleetCommand>(`${target} fleet ${i + 1}`, "./client-fleet.ts"));
    const publisher = Child.start<PublisherCommand>(`${target} publisher`, "./publisher.ts");
    children.push(...fleets, publisher);
    // Every process loaded and the publisher's connection open before the clock starts.
    await Promise.all([...fleets, publisher].map((c) => c.request({ cmd: "ping" }, SERVER_START_TIMEOUT_MS)));
    await publisher.request({ cmd: "warm", server: info }, SETTLE_TIMEOUT_MS);

    const total = o.events * 2;
    const sizes = fleets.map((_, i) => Math.floor(o.clients / o.fleets) + (i < o.clients % o.fleets ? 1 : 0));
    const connectTimeoutMs = (o.clients / o.connectRate) * 1000 + SETTLE_TIMEOUT_MS;
    const connects = await Promise.all(
      fleets.map((f, i) =>
        f.request<ConnectResult>({ cmd: "connect", server: info, count: sizes[i]!, ratePerSecond: o.connectRate / o.fleets, totalEvents: total, steadyEvents: o.events, timeoutMs: connectTimeoutMs }, connectTimeoutMs + 5_000),
      ),
    );

    const settle = async (phase: string, perSocket: number, sent: PhaseSent) => {
      if (sent.failedPosts > 0) warnings.push(`${target} ${phase}: ${sent.failedPosts} posts failed (first: ${sent.firstFailure})`);
      const complete = await Promise.all(fleets.map((f) => f.request<boolean>({ cmd: "await", perSocket, timeoutMs: SETTLE_TIMEOUT_MS }, SETTLE_TIMEOUT_MS + 5_000)));
      if (complete.includes(false)) warnings.push(`${target} ${phase}: not every socket had all events after ${SETTLE_TIMEOUT_MS / 1000} s`);
    };
    const steadyTimeoutMs = o.events * o.intervalMs + SETTLE_TIMEOUT_MS;
    const steady = await publisher.request<PhaseSent>({ cmd: "steady", server: info, firstIndex: 0, count: o.events, intervalMs: o.intervalMs }, steadyTimeoutMs);
    await settle("steady", o.events, steady);
    const burst = await publisher.request<PhaseSent>({ cmd: "burst", server: info, firstIndex: o.events, count: o.events, batchSize: o.burstBatch }, SETTLE_TIMEOUT_MS);
    await settle("burst", total, burst);

    const reports = await Promise.all(fleets.map((f) => f.request<FleetReport>({ cmd: "report" }, REPORT_TIMEOUT_MS)));
    const cpuAtEnd = info.statsPid === null ? null : cpuSeconds(info.statsPid);
    const rss = info.statsPid === null ? null : rssBytes(info.statsPid);
    return metricsOf(o, connects, reports, burst, cpuAtStart === null || cpuAtEnd === null ? NaN : cpuAtEnd - cpuAtStart, rss === null ? NaN : rss / 1024 / 1024, target);
  } finally {
    await Promise.all(children.map((c) => c.stop()));
  }
}

function metricsOf(o: BenchOptions, connects: ConnectResult[], reports: FleetReport[], burst: PhaseSent, cpu: number, rssMiB: number, target: Target): Metrics {
  const handshakes = connects.flatMap((c) => c.handshakeMs);
  const connectSpanMs = maxOf(connects.map((c) => c.lastReadyAtMs)) - Math.min(...connects.map((c) => c.firstRequestedAtMs));
  const latencies = reports.flatMap((r) => r.steadyLatencyMs);
  const lastArrival = (index: number) => maxOf(reports.map((r) => r.lastArrivalMs[index]!));
  const sentAt = (index: number) => reports.map((r) => r.sentAtMs[index]!).find((x) => !Number.isNaN(x)) ?? NaN;
  const lastClient: number[] = [];
  for (let i = 0; i < o.events; i++) {
    const ms = lastArrival(i) - sentAt(i);
    if (!Number.isNaN(ms)) lastClient.push(ms);
  }
  const burstEnd = maxOf(Array.from({ length: o.events }, (_, i) => lastArrival(o.events + i)));
  const perSocket = <K extends "distinct" | "frames" | "bytes">(key: K) => reports.flatMap((r) => r[key]);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const closes = sum(reports.map((r) => r.unexpectedCloses));
  if (closes > 0) warnings.push(`${target}: ${closes} sockets closed by the server during the run`);
  return {
    connectRate: o.clients / (connectSpanMs / 1000),
    handshakeP50: percentile(handshakes, 50),
    handshakeP99: percentile(handshakes, 99),
    clientP50: percentile(latencies, 50),
    clientP95: percentile(latencies, 95),
    clientP99: percentile(latencies, 99),
    lastClientP50: percentile(lastClient, 50),
    lastClientP95: percentile(lastClient, 95),
    lastClientP99: percentile(lastClient, 99),
    burstDeliveriesPerSecond: (o.clients * o.events) / ((burstEnd - burst.firstSentAtMs) / 1000),
    framesPerClient: sum(perSocket("frames")) / o.clients,
    bytesPerClient: sum(perSocket("bytes")) / o.clients,
    lost: sum(perSocket("distinct").map((d) => o.events * 2 - d)),
    cpuSeconds: cpu,
    rssMiB,
  };
}

async function main(o: BenchOptions): Promise<void> {
  const command = `npm run bench -- ${process.argv.slice(2).join(" ")}`.trim();
  console.log(`${command}\n${o.clients} clients (${o.fleets} processes, ${o.connectRate}/s), ${o.events} steady events (one every ${o.intervalMs} ms) + ${o.events} in a burst (batches of ${o.burstBatch}), ${o.runs} run(s); Node ${process.version}\n`);
  const runs: { order: Target[]; results: TargetResults }[] = [];
  for (let run = 0; run < o.runs; run++) {
    const order = runOrder(o.targets, run);
    const results: TargetResults = {};
    for (const target of order) {
      const t0 = performance.now();
      results[target] = await measure(target, o);
      console.log(`run ${run + 1}: ${target} measured in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    runs.push({ order, results });
    console.log(`\n### Run ${run + 1} (order ${order.join(", ")})\n\n${formatResults(results)}\n`);
  }
  const medians = mediansOver(runs.map((r) => r.results));
  const ratios = hubRatios(medians);
  if (o.runs > 1) console.log(`### Medians over ${o.runs} runs\n\n${formatResults(medians)}\n`);
  if (medians.hub && Object.keys(ratios).length > 0) console.log(`### Ratios (medians)\n\n${formatRatios(ratios)}\n`);
  for (const w of warnings) console.log(`warning: ${w}`);
  if (o.json) writeFileSync(o.json, JSON.stringify({ command, options: o, runs, medians, ratios, warnings }, null, 2));
  const lost = runs.some((r) => Object.values(r.results).some((m) => m.lost > 0));
  if (lost) {
    console.error("some clients missed events (lost > 0)");
    process.exitCode = 1;
  }
}

main(options).then(
  () => process.exit(),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
