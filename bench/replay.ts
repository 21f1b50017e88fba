/**
 * npm run bench:replay — a client misses 10,000 deltas and reconnects: the
 * catch-up time, frames and bytes of the replay, against the time and bytes
 * of a snapshot of the same channel. On the real Worker in one Miniflare
 * (dev/miniflare-hub.ts); loopback only; every wait has a timeout.
 *
 * The channel holds 2,000 tasks with 1.5 KB descriptions (a state of about
 * 3.5 MB), so the 10,000 missed progress deltas (about 2.5 MB) weigh less
 * than the snapshot and the hub replays them; a lighter state would be
 * answered with the snapshot (`reason: "cheaper-snapshot"`), which is the
 * second measurement. Alternated, RUNS times each; medians printed.
 */
import { parseArgs } from "node:util";
import { Paths, deltasOf, parseServerFrame, type HelloFrame } from "../protocol/index.ts";
import { withTimeout } from "../dev/deadline.ts";
import { ev } from "../dev/events.ts";
import { HubClient } from "../dev/hub-client.ts";
import { MiniflareHub } from "../dev/miniflare-hub.ts";
import { BENCH_LIMITS } from "./support/bench-limits.ts";
import { fmtMs, percentile } from "./support/percentiles.ts";
import { positiveInt } from "./support/run-guard.ts";

const { values } = parseArgs({ options: { missed: { type: "string", default: "10000" }, tasks: { type: "string", default: "2000" }, runs: { type: "string", default: "3" } } });
const MISSED = positiveInt("missed", values.missed);
const TASKS = positiveInt("tasks", values.tasks);
const RUNS = positiveInt("runs", values.runs);
const BATCH = 500;
const CATCH_UP_TIMEOUT_MS = 60_000;
const HTTP_TIMEOUT_MS = 60_000;

interface Catchup {
  readonly hello: HelloFrame;
  /** From creating the socket to holding the head: the hello, then the replay or the snapshot. */
  readonly ms: number;
  readonly frames: number;
  readonly bytes: number;
  readonly largestFrameBytes: number;
}

const utf8 = new TextEncoder();

/** Connects (resuming from `cursor` when given) and waits until the client holds seq `head`. */
function connect(url: string, channel: string, ticket: string, head: number, cursor?: { since: number; epoch: string }): Promise<Catchup> {
  const query = new URLSearchParams({ ticket, ...(cursor ? { since: String(cursor.since), epoch: cursor.epoch } : {}) });
  const started = performance.now();
  const ws = new WebSocket(`${url.replace("http", "ws")}${Paths.socket(channel)}?${query}`);
  let hello: HelloFrame | null = null;
  let frames = 0;
  let bytes = 0;
  let largest = 0;
  let seq = cursor?.since ?? -1;
  const done = new Promise<Catchup>((resolve, reject) => {
    ws.onmessage = (m) => {
      const text = String(m.data);
      const size = utf8.encode(text).byteLength;
      frames++;
      bytes += size;
      largest = Math.max(largest, size);
      const frame = parseServerFrame(text);
      if (!frame) return reject(new Error(`invalid frame: ${text.slice(0, 80)}`));
      if (frame.type === "hello") hello = frame;
      else if (frame.type === "snapshot") seq = frame.seq;
      else for (const delta of deltasOf(frame)) {
        if (delta.seq !== seq + 1) return reject(new Error(`gap: ${delta.seq} after ${seq}`));
        seq = delta.seq;
      }
      if (hello && seq === head) {
        resolve({ hello, ms: performance.now() - started, frames, bytes, largestFrameBytes: largest });
        ws.close();
      }
    };
    ws.onerror = () => reject(new Error("socket failed"));
  });
  return withTimeout(done, CATCH_UP_TIMEOUT_MS, `catch-up to seq ${head}`).finally(() => ws.close());
}

const median = (xs: number[]) => percentile(xs, 50);
const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;

async function main(): Promise<void> {
  const hub = await MiniflareHub.start({ vars: BENCH_LIMITS });
  try {
    const client = new HubClient(hub.url, (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) }));
    const channel = `replay-${Date.now().toString(36)}`;
    const description = "d".repeat(1500);
    for (let first = 1; first <= TASKS; first += BATCH) {
      await client.send(channel, Array.from({ length: Math.min(BATCH, TASKS - first + 1) }, (_, i) => ev.taskUpsert({ id: first + i, title: `Task ${first + i}`, description })));
    }
    const ticket = await client.viewerTicket();
    const seeded = await connect(hub.url, channel, ticket, TASKS);
    const cursor = { since: TASKS, epoch: seeded.hello.epoch };
    for (let sent = 0; sent < MISSED; sent += BATCH) {
      await client.send(channel, Array.from({ length: Math.min(BATCH, MISSED - sent) }, (_, i) => ev.taskProgress(((sent + i) % TASKS) + 1, (sent + i) % 101)));
    }
    // Conflation merges updates of one task within COALESCE_MS, and a held update gets its seq when it is sent (a
    // snapshot read sends it first): the snapshot's seq, not the count sent, is the head a resume must reach.
    const head = (await client.snapshot(channel)).seq;
    const missed = head - TASKS;
    console.log(`taskmaster-live replay bench — Miniflare on ${hub.url}, Node ${process.version}`);
    console.log(`channel: ${TASKS} tasks (1.5 KB descriptions), then ${MISSED} progress updates sent = ${missed} missed deltas; head ${head}; ${RUNS} runs each, alternated\n`);

    const replays: Catchup[] = [];
    const snapshots: Catchup[] = [];
    for (let run = 0; run < RUNS; run++) {
      const order = run % 2 === 0 ? (["replay", "snapshot"] as const) : (["snapshot", "replay"] as const);
      for (const kind of order) {
        if (kind === "replay") replays.push(await connect(hub.url, channel, ticket, head, cursor));
        else snapshots.push(await connect(hub.url, channel, ticket, head));
      }
    }
    const hello = replays[0]!.hello;
    console.log(`resume since=${cursor.since}: hello recovered=${hello.recovered}${hello.reason ? ` reason=${hello.reason}` : ""}`);
    const line = (name: string, xs: Catchup[]) =>
      console.log(
        `${name}: ${fmtMs(median(xs.map((x) => x.ms)))} median (${xs.map((x) => fmtMs(x.ms)).join(", ")}), ${xs[0]!.frames} frames, ${kib(xs[0]!.bytes)} (largest frame ${kib(xs[0]!.largestFrameBytes)})`,
      );
    line(`catch-up of ${missed} deltas`, replays);
    line("snapshot (no cursor)       ", snapshots);
    console.log(`replay bytes / snapshot bytes: ${(replays[0]!.bytes / snapshots[0]!.bytes).toFixed(2)}`);
  } finally {
    await hub.dispose();
  }
}

await withTimeout(main(), 10 * 60_000, "bench:replay");
