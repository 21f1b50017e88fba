/**
 * npm run bench:ingest [-- --viewers 100 --seconds 10 --batch 200 --senders 4 --tasks 1000]:
 * the ceiling of events/s into ONE channel with raw WebSocket viewers
 * attached, on the real Worker bundle in one Miniflare (dev/miniflare-hub.ts).
 *
 * `--senders` loops post signed batches of `--batch` task updates (status
 * changes: never conflated, one delta per event) as fast as the hub answers,
 * for `--seconds`. Then every viewer must reach the head gap-free and
 * duplicate-free (checked per delta), else the exit code is 1. Printed:
 * sustained events/s (accepted ÷ posting time), deliveries/s, and the
 * ingest→viewer latency (POST sent → the frame carrying the batch's delta
 * received, per viewer and frame) p50/p99. Loopback only; every wait has a timeout.
 */
import { parseArgs } from "node:util";
import { MAX_EVENTS_PER_BATCH, Paths } from "../protocol/index.ts";
import { withTimeout } from "../dev/deadline.ts";
import { ev } from "../dev/events.ts";
import { HubClient } from "../dev/hub-client.ts";
import { MiniflareHub } from "../dev/miniflare-hub.ts";
import { BENCH_LIMITS } from "./support/bench-limits.ts";
import { guardRun, positiveInt } from "./support/run-guard.ts";
import { fmtMs, percentile } from "./support/percentiles.ts";
import { cpuSeconds, formatSample, sampleProcesses } from "./support/process-stats.ts";

const { values } = parseArgs({
  options: {
    viewers: { type: "string", default: "100" },
    seconds: { type: "string", default: "10" },
    batch: { type: "string", default: "200" },
    senders: { type: "string", default: "4" },
    tasks: { type: "string", default: "1000" },
  },
});
const VIEWERS = positiveInt("viewers", values.viewers);
const SECONDS = positiveInt("seconds", values.seconds);
const BATCH = Math.min(MAX_EVENTS_PER_BATCH, positiveInt("batch", values.batch));
const SENDERS = positiveInt("senders", values.senders);
const TASKS = positiveInt("tasks", values.tasks);
const CONNECT_TIMEOUT_MS = 60_000;
const DRAIN_TIMEOUT_MS = 120_000;
const HTTP_TIMEOUT_MS = 60_000;
const WATCHDOG_MS = 300_000;


/**
 * A viewer that checks seqs without parsing whole frames: at 10,000 events/s × 100 viewers a full JSON.parse of
 * every frame would make this process, not the hub, the bottleneck. Every delta frame the hub builds starts
 * `{"type":"delta","epoch":"…","seq":N,` (channel-core.ts), so the seqs are read from those prefixes.
 */
class SeqViewer {
  lastSeq = -1;
  /** Characters of delta frames received (the frames are ASCII here: bytes). */
  chars = 0;
  violations: string[] = [];
  /** Per frame: the newest seq it carried and when it arrived (performance.now()). */
  readonly arrivals: { seq: number; atMs: number }[] = [];
  #ws: WebSocket | null = null;
  #prefix: RegExp | null = null;
  #closing = false;

  open(url: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = (this.#ws = new WebSocket(url));
      ws.onerror = () => reject(new Error("viewer socket error"));
      ws.onclose = (e) => {
        if (!this.#closing) this.violations.push(`closed by the hub: ${e.code} ${e.reason}`);
      };
      ws.onmessage = (m) => {
        const text = String(m.data);
        if (this.#prefix === null) {
          // hello, then the snapshot: full frames, once.
          const frame = JSON.parse(text) as { type: string; epoch?: string; seq?: number };
          if (frame.type === "snapshot") {
            this.lastSeq = frame.seq!;
            this.#prefix = new RegExp(`\\{"type":"delta","epoch":${JSON.stringify(JSON.stringify(frame.epoch)).slice(1, -1)},"seq":(\\d+),`, "g");
            resolve();
          }
          return;
        }
        this.#frame(text);
      };
    });
  }

  #frame(text: string): void {
    this.chars += text.length;
    const prefix = this.#prefix!;
    prefix.lastIndex = 0;
    let found = false;
    for (let m = prefix.exec(text); m !== null; m = prefix.exec(text)) {
      const seq = Number(m[1]);
      if (seq !== this.lastSeq + 1) this.violations.push(`delta ${seq} after ${this.lastSeq}`);
      this.lastSeq = Math.max(this.lastSeq, seq);
      found = true;
    }
    if (found) this.arrivals.push({ seq: this.lastSeq, atMs: performance.now() });
    else if (!text.startsWith('{"type":"pong"')) this.violations.push(`unexpected frame ${text.slice(0, 80)}`);
  }

  close(): void {
    this.#closing = true;
    this.#ws?.close();
  }
}

const live: { hub: MiniflareHub | null; viewers: SeqViewer[] } = { hub: null, viewers: [] };
const guard = guardRun(async () => {
  for (const v of live.viewers) v.close();
  await live.hub?.dispose().catch((error: unknown) => console.error(`dispose: ${String(error)}`));
}, WATCHDOG_MS);

async function main(): Promise<boolean> {
  const hub = (live.hub = await MiniflareHub.start({ vars: { ...BENCH_LIMITS } }));
  const client = new HubClient(hub.url, (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) }));
  const channel = `ingest-${Date.now().toString(36)}`;
  console.log(`taskmaster-live ingest bench — Miniflare (one workerd) on ${hub.url}, Node ${process.version}`);
  console.log(`${VIEWERS} viewers, ${SENDERS} senders × batches of ${BATCH} task updates (${TASKS} tasks) for ${SECONDS} s into one channel`);

  // The channel exists before the viewers connect.
  await client.send(channel, [ev.meta({ name: channel })]);
  const ticket = await client.ticket([channel]);
  const url = `${hub.url.replace("http", "ws")}${Paths.socket(channel)}?ticket=${encodeURIComponent(ticket)}`;
  const viewers = (live.viewers = Array.from({ length: VIEWERS }, () => new SeqViewer()));
  await withTimeout(Promise.all(viewers.map((v) => v.open(url))), CONNECT_TIMEOUT_MS, "viewers did not connect");

  /** Each accepted batch: the seqs it was given, (head - accepted, head], and when its POST was sent. */
  const batches: { firstSeq: number; lastSeq: number; sentAtMs: number }[] = [];
  let accepted = 0;
  let task = 0;
  const cpuAtStart = { workerd: hub.workerdPid === null ? null : cpuSeconds(hub.workerdPid), node: cpuSeconds("self") };
  const t0 = performance.now();
  const endAtMs = t0 + SECONDS * 1000;
  const sender = async () => {
    while (performance.now() < endAtMs) {
      const events = Array.from({ length: BATCH }, () => {
        // Each round over the tasks changes every one of them: an event that changes nothing makes no delta.
        const round = Math.floor(task / TASKS);
        const id = (task++ % TASKS) + 1;
        return ev.taskUpsert({ id, title: `Task ${id}, round ${round}`, status: round % 2 === 0 ? "in-progress" : "pending" });
      });
      const sentAtMs = performance.now();
      const answer = await client.send(channel, events);
      accepted += answer.accepted;
      batches.push({ firstSeq: answer.head - answer.accepted + 1, lastSeq: answer.head, sentAtMs });
    }
  };
  await Promise.all(Array.from({ length: SENDERS }, sender));
  const postingMs = performance.now() - t0;
  const head = Math.max(...batches.map((b) => b.lastSeq));
  const drainStart = performance.now();
  await withTimeout(
    (async () => {
      while (viewers.some((v) => v.lastSeq < head)) await new Promise((r) => setTimeout(r, 20));
    })(),
    DRAIN_TIMEOUT_MS,
    `viewers did not reach seq ${head}`,
  ).catch((error: Error) => console.log(`drain: ${error.message}`));
  const drainMs = performance.now() - drainStart;
  const cpuUsed = (now: number | null, before: number | null) => (now === null || before === null ? "n/a" : `${(now - before).toFixed(1)} s`);
  const cpuLine = `CPU during posting + drain (${((postingMs + drainMs) / 1000).toFixed(1)} s): workerd ${cpuUsed(hub.workerdPid === null ? null : cpuSeconds(hub.workerdPid), cpuAtStart.workerd)}, this process (senders + viewers) ${cpuUsed(cpuSeconds("self"), cpuAtStart.node)}`;

  // Latency: each frame's newest seq belongs to one batch; from that batch's POST to the frame's arrival.
  batches.sort((a, b) => a.firstSeq - b.firstSeq);
  const batchOf = (seq: number) => {
    let lo = 0;
    let hi = batches.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (batches[mid]!.firstSeq <= seq) lo = mid;
      else hi = mid - 1;
    }
    return batches[lo]!;
  };
  const latencies = viewers.flatMap((v) => v.arrivals.filter((a) => a.seq > 1).map((a) => a.atMs - batchOf(a.seq).sentAtMs));
  const deliveries = viewers.reduce((sum, v) => sum + Math.max(0, v.lastSeq - 1), 0);
  const frames = viewers.reduce((sum, v) => sum + v.arrivals.length, 0);
  const mib = viewers.reduce((sum, v) => sum + v.chars, 0) / 1024 / 1024;
  console.log(`\ningest:    ${accepted} events accepted in ${(postingMs / 1000).toFixed(2)} s = ${Math.round(accepted / (postingMs / 1000))} events/s sustained (${batches.length} batches)`);
  console.log(`delivery:  ${deliveries} deltas to ${VIEWERS} viewers in ${frames} frames; the last viewer reached seq ${head} ${fmtMs(drainMs)} after the last POST answered`);
  console.log(`           = ${Math.round(deliveries / ((postingMs + drainMs) / 1000))} deliveries/s, ${(mib / ((postingMs + drainMs) / 1000)).toFixed(1)} MiB/s of frames (${((mib * 1024 * 1024) / Math.max(1, deliveries)).toFixed(0)} bytes per delta)`);
  console.log(`latency:   POST sent → frame received, per viewer: p50 ${fmtMs(percentile(latencies, 50))}  p99 ${fmtMs(percentile(latencies, 99))}  max ${fmtMs(Math.max(...latencies))}`);
  console.log(`           ${cpuLine}`);
  console.log(`           ${formatSample(sampleProcesses(hub.workerdPid))}`);
  const violations = viewers.flatMap((v) => v.violations);
  const behind = viewers.filter((v) => v.lastSeq !== head).length;
  console.log(`worker log lines: ${[...hub.logs.byEvent].map(([k, n]) => `${k} ${n}`).join(", ") || "none"}`);
  for (const line of hub.logs.errors) console.log(`  worker/runtime: ${line}`);
  console.log(`lost:      ${violations.length} violations (gap, duplicate, reorder, close), ${behind} viewers not at seq ${head}`);
  for (const v of violations.slice(0, 10)) console.log(`  ${v}`);
  return violations.length === 0 && behind === 0;
}

let ok = false;
try {
  ok = await main();
} catch (error) {
  console.error(`\ningest bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  for (const line of live.hub?.logs.errors ?? []) console.error(`  worker/runtime: ${line}`);
} finally {
  await guard.finish();
}
process.exit(ok ? 0 : 1);
