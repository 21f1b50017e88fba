/**
 * npm run bench:connect [-- --clients 300 --rate 300 --storm 1000 --tasks 200 --missed 5]:
 * what a WebSocket connect costs, on the real Worker bundle in one Miniflare
 * (dev/miniflare-hub.ts), loopback only.
 *
 * 1. Handshakes: `--clients` sockets open at `--rate` per second; each one's
 *    handshake is socket creation → hello + snapshot received. p50/p99.
 * 2. Reconnect storm: `--storm` sockets connected and caught up, the hub
 *    restarted (Miniflare dispose + start on the same persisted storage),
 *    `--missed` webhooks posted, then every socket resumes at once with its
 *    cursor. Printed: the time until every one holds hello{recovered:true}
 *    and the head. Any violation (gap, duplicate, snapshot on resume) exits 1.
 * Timings are printed, not asserted. Every wait has a timeout.
 */
import { parseArgs } from "node:util";
import { withTimeout } from "../dev/deadline.ts";
import { ev } from "../dev/events.ts";
import { HubClient } from "../dev/hub-client.ts";
import { MiniflareHub } from "../dev/miniflare-hub.ts";
import { BENCH_LIMITS } from "./support/bench-limits.ts";
import { guardRun, positiveInt } from "./support/run-guard.ts";
import { fmtMs, percentile } from "./support/percentiles.ts";
import { cpuSeconds, formatSample, sampleProcesses } from "./support/process-stats.ts";
import { SocketFleet } from "./support/socket-fleet.ts";

const { values } = parseArgs({
  options: {
    clients: { type: "string", default: "300" },
    rate: { type: "string", default: "300" },
    storm: { type: "string", default: "1000" },
    tasks: { type: "string", default: "200" },
    missed: { type: "string", default: "5" },
  },
});
const CLIENTS = positiveInt("clients", values.clients);
const RATE = positiveInt("rate", values.rate);
const STORM = positiveInt("storm", values.storm);
const TASKS = positiveInt("tasks", values.tasks);
const MISSED = positiveInt("missed", values.missed);
/** Connects are started in slices of this many ms, RATE/s on average. */
const SLICE_MS = 100;
const WAVE_TIMEOUT_MS = 60_000;
const DELIVERY_TIMEOUT_MS = 60_000;
const HTTP_TIMEOUT_MS = 30_000;
const WATCHDOG_MS = 300_000;
const SETUP_BATCH = 500;
/** The storm's sockets connect in waves of this many before the restart (not measured). */
const STORM_SETUP_WAVE = 250;


const live: { hub: MiniflareHub | null; fleets: SocketFleet[] } = { hub: null, fleets: [] };
const guard = guardRun(async () => {
  for (const fleet of live.fleets) fleet.terminate();
  await live.hub?.dispose().catch((error: unknown) => console.error(`dispose: ${String(error)}`));
}, WATCHDOG_MS);

const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** CPU seconds used by workerd and by this process (the clients) from now until the returned function is called. */
function cpuMeter(workerdPid: number | null): () => string {
  const workerd = () => (workerdPid === null ? null : cpuSeconds(workerdPid));
  const start = { workerd: workerd(), node: cpuSeconds("self") };
  const used = (now: number | null, before: number | null) => (now === null || before === null ? "n/a" : `${(now - before).toFixed(1)} CPU-s`);
  return () => `workerd ${used(workerd(), start.workerd)}, clients (this process) ${used(cpuSeconds("self"), start.node)}`;
}

async function main(): Promise<boolean> {
  const hub = (live.hub = await MiniflareHub.start({ vars: { MAX_CONNECTIONS_PER_CHANNEL: String(Math.max(CLIENTS, STORM) + 100), ...BENCH_LIMITS } }));
  const client = new HubClient(hub.url, (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) }));
  const runId = Date.now().toString(36);
  const wsBase = hub.url.replace("http", "ws");
  console.log(`taskmaster-live connect bench — Miniflare (one workerd) on ${hub.url}, Node ${process.version}`);

  /** A channel whose snapshot holds TASKS tasks; returns its head. */
  const seed = async (channel: string): Promise<number> => {
    let head = 0;
    for (let first = 1; first <= TASKS; first += SETUP_BATCH) {
      const ids = Array.from({ length: Math.min(SETUP_BATCH, TASKS - first + 1) }, (_, i) => first + i);
      head = (await client.send(channel, ids.map((id) => ev.taskUpsert({ id, title: `Task ${id}`, description: "x".repeat(200) })))).head;
    }
    return head;
  };

  // 1. Handshakes at a rate.
  const handshakeChannel = `connect-${runId}-a`;
  await seed(handshakeChannel);
  const fleet = new SocketFleet(wsBase, [handshakeChannel], CLIENTS);
  live.fleets.push(fleet);
  const perSlice = Math.max(1, Math.round((RATE * SLICE_MS) / 1000));
  const ticket = await client.ticket([handshakeChannel]);
  const handshakeCpu = cpuMeter(hub.workerdPid);
  const opened = await fleet.openAll({ waveSize: perSlice, paceMs: SLICE_MS, ticket: async () => ticket, resume: false, waveTimeoutMs: WAVE_TIMEOUT_MS });
  const hs = opened.handshakeMs;
  console.log(`handshake: ${CLIENTS} sockets at ${RATE}/s (${perSlice} every ${SLICE_MS} ms), socket created → hello + snapshot (${TASKS} tasks):`);
  console.log(`           p50 ${fmtMs(percentile(hs, 50))}  p99 ${fmtMs(percentile(hs, 99))}  max ${fmtMs(Math.max(...hs))}; all open in ${sec(opened.ms)}; ${handshakeCpu()}`);
  await fleet.closeAll(WAVE_TIMEOUT_MS);

  // 2. The reconnect storm after a restart.
  const stormChannel = `connect-${runId}-b`;
  const before = await seed(stormChannel);
  const storm = new SocketFleet(wsBase, [stormChannel], STORM);
  live.fleets.push(storm);
  const stormTicket = await client.ticket([stormChannel]);
  await storm.openAll({ waveSize: STORM_SETUP_WAVE, ticket: async () => stormTicket, resume: false, waveTimeoutMs: WAVE_TIMEOUT_MS });
  console.log(`storm:     ${STORM} sockets connected at seq ${before}; ${formatSample(sampleProcesses(hub.workerdPid))}`);
  const dropped = storm.expectDrop(WAVE_TIMEOUT_MS);
  const tr = performance.now();
  await hub.restart();
  await dropped;
  console.log(`           hub restarted on the same storage in ${sec(performance.now() - tr)}; every socket dropped`);
  let head = before;
  for (let i = 0; i < MISSED; i++) // Task updates, not progress: progress is conflated (COALESCE_MS), and the head must be what the webhook answers.
    head = (await client.send(stormChannel, [ev.taskUpsert({ id: 1, title: `Task 1, edit ${i}` })])).head;
  const stormCpu = cpuMeter(hub.workerdPid);
  const ts = performance.now();
  const resumed = await storm.openAll({ waveSize: STORM, ticket: async () => stormTicket, resume: true, waveTimeoutMs: WAVE_TIMEOUT_MS });
  const atHead = (await withTimeout(storm.waitAll(head, DELIVERY_TIMEOUT_MS), DELIVERY_TIMEOUT_MS, "the storm did not reach the head")) - ts;
  const recovered = storm.recoveredAtLeast(1);
  const rs = resumed.handshakeMs;
  console.log(`           ${STORM} resumes at once (since=${before}, ${MISSED} missed): every hello in ${sec(resumed.ms)}, every socket at seq ${head} in ${sec(Math.max(atHead, resumed.ms))}`);
  console.log(`           hello{recovered:true} on ${recovered} of ${STORM}; per-socket resume p50 ${fmtMs(percentile(rs, 50))}  p99 ${fmtMs(percentile(rs, 99))}`);
  console.log(`           during the storm: ${stormCpu()}`);
  console.log(`           ${formatSample(sampleProcesses(hub.workerdPid))}`);

  const violations = fleet.violationCount + storm.violationCount;
  console.log(`\nworker log lines: ${[...hub.logs.byEvent].map(([k, n]) => `${k} ${n}`).join(", ") || "none"}`);
  for (const line of hub.logs.errors) console.log(`  worker/runtime: ${line}`);
  console.log(`delivery: ${violations} violations, ${STORM - recovered} resumes without recovered:true, ${storm.notAt(head)} sockets not at seq ${head}`);
  for (const v of [...fleet.violations, ...storm.violations].slice(0, 20)) console.log(`  ${v}`);
  return violations === 0 && recovered === STORM && storm.notAt(head) === 0;
}

let ok = false;
try {
  ok = await main();
} catch (error) {
  console.error(`\nconnect bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  for (const line of live.hub?.logs.errors ?? []) console.error(`  worker/runtime: ${line}`);
} finally {
  await guard.finish();
}
process.exit(ok ? 0 : 1);
