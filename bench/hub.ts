/**
 * npm run bench:hub: numbers, not pass/fail. Runs the real Worker under
 * `wrangler dev` and measures ingest throughput, ingest→socket latency,
 * fan-out and replay. Loopback only; every loop is bounded.
 */
import { Paths, type DeltaFrame, type DeltasFrame, type HelloFrame } from "../protocol/index.ts";
import { DevServer } from "../dev/dev-server.ts";
import { ev } from "../dev/events.ts";
import { HubClient } from "../dev/hub-client.ts";
import { BENCH_LIMITS } from "./support/bench-limits.ts";
import { fmtMs, percentile } from "./support/percentiles.ts";


/** Raw sockets that count deltas and resolve waiters on a target seq. */
async function openSockets(server: DevServer, channel: string, ticket: string, count: number, query = ""): Promise<{ sockets: WebSocket[]; seen: number[]; waitAll: (seq: number, timeoutMs?: number) => Promise<number> }> {
  const seen = new Array<number>(count).fill(0);
  let waiters: { seq: number; resolve: (t: number) => void }[] = [];
  const check = () => {
    const min = Math.min(...seen);
    waiters = waiters.filter((w) => (min >= w.seq ? (w.resolve(performance.now()), false) : true));
  };
  const sockets = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(`${server.url.replace("http", "ws")}${Paths.socket(channel)}?ticket=${ticket}${query}`);
        ws.onmessage = (m) => {
          const f = JSON.parse(String(m.data)) as DeltaFrame | DeltasFrame | HelloFrame | { type: "snapshot"; seq: number };
          if (f.type === "delta" || f.type === "snapshot" || f.type === "deltas") {
            seen[i] = f.type === "deltas" ? f.deltas[f.deltas.length - 1]!.seq : f.seq;
            check();
          }
        };
        ws.onopen = () => resolve(ws);
        ws.onerror = () => reject(new Error("socket failed"));
      }),
    ),
  );
  const waitAll = (seq: number, timeoutMs = 30_000) =>
    new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timeout waiting for seq ${seq}`)), timeoutMs);
      waiters.push({ seq, resolve: (t) => (clearTimeout(timer), resolve(t)) });
      check();
    });
  return { sockets, seen, waitAll };
}

async function main() {
  const server = await DevServer.start({ vars: BENCH_LIMITS });
  const hub = new HubClient(server.url);
  const ticket = await hub.ticket();
  console.log(`taskmaster-live bench — wrangler dev on ${server.url}, Node ${process.version}\n`);
  try {
    // 1. Batched ingest throughput.
    {
      const batches = 20;
      const t0 = performance.now();
      let head = 0;
      for (let b = 0; b < batches; b++) {
        const events = Array.from({ length: 500 }, (_, i) => (i % 2 ? ev.taskUpsert({ id: i, title: `t${b}`, status: "in-progress" }) : ev.health("h", { cpu: i % 100 })));
        head = (await hub.send("bench-ingest", events)).head;
      }
      const s = (performance.now() - t0) / 1000;
      console.log(`ingest, batches of 500:      ${Math.round((batches * 500) / s)} events/s (${batches * 500} events in ${s.toFixed(2)} s, head ${head})`);
    }
    // 2. Single-event webhook latency, and ingest → socket latency with 50 viewers.
    {
      const viewers = await openSockets(server, "bench-latency", ticket, 50);
      const posts: number[] = [];
      const toAll: number[] = [];
      for (let i = 1; i <= 200; i++) {
        const t0 = performance.now();
        const wait = viewers.waitAll(i);
        await hub.send("bench-latency", [ev.taskProgress(1, i % 101)]);
        posts.push(performance.now() - t0);
        toAll.push((await wait) - t0);
      }
      console.log(`webhook round trip (1 event): p50 ${fmtMs(percentile(posts, 50))}  p99 ${fmtMs(percentile(posts, 99))}  (${Math.round(1000 / (posts.reduce((a, b) => a + b) / posts.length))} req/s sequential)`);
      console.log(`post → all 50 sockets:        p50 ${fmtMs(percentile(toAll, 50))}  p99 ${fmtMs(percentile(toAll, 99))}`);
      for (const ws of viewers.sockets) ws.close();
    }
    // 3. Fan-out: one delta to 1,000 sockets.
    {
      const n = 1000;
      const t0 = performance.now();
      const viewers = await openSockets(server, "bench-fanout", ticket, n);
      const connectS = (performance.now() - t0) / 1000;
      const times: number[] = [];
      for (let i = 1; i <= 20; i++) {
        const t1 = performance.now();
        const wait = viewers.waitAll(i);
        await hub.send("bench-fanout", [ev.heartbeat("agent-1")]);
        times.push((await wait) - t1);
      }
      console.log(`fan-out to ${n} sockets:      p50 ${fmtMs(percentile(times, 50))}  p99 ${fmtMs(percentile(times, 99))}  (connected ${n} in ${connectS.toFixed(2)} s)`);
      for (const ws of viewers.sockets) ws.close();
    }
    // 4. Replay: a client 10,000 deltas behind catches up.
    {
      const snap = await hub.snapshot("bench-ingest");
      const since = snap.seq - 10_000;
      const t0 = performance.now();
      const viewer = await openSockets(server, "bench-ingest", ticket, 1, `&since=${since}&epoch=${snap.epoch}`);
      await viewer.waitAll(snap.seq, 60_000);
      const ms = performance.now() - t0;
      console.log(`replay of 10,000 deltas:      ${fmtMs(ms)} (${Math.round(10_000 / (ms / 1000))} deltas/s)`);
      viewer.sockets[0]!.close();
    }
    const metrics = await (await hub.get(Paths.metrics("bench-latency"), ticket)).json();
    console.log(`server-side ingest→broadcast (bench-latency): p50 ${metrics.ingestToBroadcastMs.p50} ms, p99 ${metrics.ingestToBroadcastMs.p99} ms`);
  } finally {
    await server.stop();
  }
}

await main();
