/**
 * Acceptance: ≥ 20 partysocket clients against the real Worker (wrangler dev),
 * dropped at random while 500 events arrive in batches. At the end every
 * client's state equals the snapshot, and every client applied a gap-free,
 * duplicate-free seq sequence.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { HubEventInput } from "../../protocol/index.ts";
import { DevServer } from "../../dev/dev-server.ts";
import { ev } from "../../dev/events.ts";
import { HubClient } from "../../dev/hub-client.ts";
import { isGapFree, TestViewer } from "./support/test-viewer.ts";

const CLIENTS = 20;
const EVENTS = 500;
const CHANNEL = "e2e-many";

let server: DevServer;
beforeAll(async () => {
  server = await DevServer.start();
});
afterAll(async () => {
  await server?.stop();
});

function randomEvent(rand: () => number, i: number): HubEventInput {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const taskId = 1 + Math.floor(rand() * 30);
  switch (i % 6) {
    case 0:
      return ev.agentStatus(`agent-${1 + Math.floor(rand() * 5)}`, pick(["online", "busy", "idle", "error"] as const), { taskId: String(taskId) });
    case 1:
      return ev.taskUpsert({ id: taskId, title: `Task ${taskId}`, status: pick(["pending", "in-progress", "done", "review"]), priority: pick(["low", "high"]), subtasks: [{ id: 1, title: "first", status: pick(["pending", "done"]) }] }, { tag: pick(["master", "feature-x"]) });
    case 2:
      return ev.taskProgress(taskId, Math.floor(rand() * 101));
    case 3:
      return ev.health(pick(["host-a", "host-b"]), { cpu: Math.round(rand() * 100), queueDepth: Math.floor(rand() * 9), memory: { usedBytes: 1e9, totalBytes: 8e9 } });
    case 4:
      return rand() < 0.5 ? ev.taskRemoved(taskId, { tag: pick(["master", "feature-x"]) }) : ev.heartbeat(`agent-${1 + Math.floor(rand() * 5)}`);
    default:
      // An old event: the hub must acknowledge it as stale when its entity moved on.
      return ev.taskUpsert({ id: taskId, status: "blocked" }, { occurredAt: new Date(Date.now() - 60_000).toISOString() });
  }
}

async function waitFor(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

it(`${CLIENTS} viewers dropped at random while ${EVENTS} events arrive end equal to the snapshot, gap- and duplicate-free`, async () => {
  const hub = new HubClient(server.url);
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const started = Date.now();

  // One ticket per viewer, as every dashboard has its own: connects are limited per ticket.
  const tickets = await Promise.all(Array.from({ length: CLIENTS }, () => hub.ticket([CHANNEL])));
  const viewers = tickets.map((ticket) => new TestViewer(server.url, CHANNEL, async () => ticket));
  try {
    await waitFor("every viewer to get its first snapshot", () => viewers.every((v) => v.state !== null), 30_000);

    let drops = 0;
    let stopDropping = false;
    const dropper = (async () => {
      while (!stopDropping) {
        const v = viewers[Math.floor(rand() * viewers.length)]!;
        drops++;
        if (rand() < 0.7) {
          v.socket.reconnect(4000, "test drop"); // a blip
        } else {
          v.socket.close(4000, "test outage"); // a longer outage, then back
          const downMs = 200 + rand() * 1500;
          setTimeout(() => v.socket.reconnect(), downMs);
        }
        await new Promise((r) => setTimeout(r, 20 + rand() * 40));
      }
    })();

    // Sends a batch, retrying while the hub is down (the same ids make retries safe).
    const sendWithRetry = async (batch: HubEventInput[]) => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await hub.send(CHANNEL, batch);
        } catch (error) {
          if (attempt > 100) throw error;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    };
    let restarted = false;
    let sent = 0;
    let accepted = 0;
    let duplicates = 0;
    let stale = 0;
    const batches: HubEventInput[][] = [];
    while (sent < EVENTS) {
      const size = Math.min(EVENTS - sent, 1 + Math.floor(rand() * 40));
      const batch = Array.from({ length: size }, (_, k) => randomEvent(rand, sent + k));
      batches.push(batch);
      const r = await sendWithRetry(batch);
      accepted += r.accepted;
      duplicates += r.duplicates;
      stale += r.stale;
      sent += size;
      if (!restarted && sent >= EVENTS / 2) {
        // The whole runtime goes away mid-stream (a deploy, a crash): every socket drops at once.
        restarted = true;
        const restart = server.restart();
        await sendWithRetry(batch); // the sender's retry of a batch it is unsure about: all duplicates
        await restart;
      }
      await new Promise((res) => setTimeout(res, 50 + rand() * 150));
    }
    // A sender retry: the same batch again is acknowledged, not applied.
    const retry = await sendWithRetry(batches[3]!);
    expect(retry).toMatchObject({ accepted: 0, duplicates: batches[3]!.length });

    stopDropping = true;
    await dropper;
    const snapshot = await hub.snapshot(CHANNEL);
    await waitFor("every viewer to catch up to the head", () => viewers.every((v) => v.open && v.seq === snapshot.seq), 60_000);
    const elapsedMs = Date.now() - started;

    for (const v of viewers) {
      expect(v.errors).toEqual([]);
      expect(v.gaps).toBe(0);
      expect(v.duplicates).toBe(0);
      expect(isGapFree(v.applied)).toBe(true);
      expect(v.epoch).toBe(snapshot.epoch);
      expect(v.state).toEqual(snapshot.state);
    }
    const hellos = viewers.reduce((n, v) => n + v.hellos, 0);
    const recovered = viewers.reduce((n, v) => n + v.recovered, 0);
    const snapshots = viewers.reduce((n, v) => n + v.snapshots, 0);
    // A drop can fall between a hello and the snapshot it announced (the viewer then says hello again).
    const cut = viewers.reduce((n, v) => n + v.snapshotsCut, 0);
    // The log holds everything here: first connects took snapshots (no cursor), and every reconnect either resumed
    // from the log or was answered with a snapshot because the deltas it missed weighed more. Every snapshot
    // came after a hello that announced it (a recovered hello is never followed by one).
    const reasons = viewers.flatMap((v) => v.snapshotReasons);
    for (const v of viewers) expect(v.snapshotReasons[0]).toBe("no-cursor");
    expect(viewers.flatMap((v) => v.snapshotReasons.slice(1)).filter((r) => r !== "cheaper-snapshot")).toEqual([]);
    expect(recovered).toBeGreaterThan(CLIENTS);
    const metrics = await (await hub.get(`/api/channels/${CHANNEL}/metrics`, await hub.viewerTicket())).json();
    console.log(
      `[e2e] events=${sent} batches=${batches.length} accepted=${accepted} stale=${stale} duplicates=${duplicates} head=${snapshot.seq} ` +
        `clients=${CLIENTS} drops=${drops} reconnects=${hellos - CLIENTS} recovered=${recovered} snapshots=${snapshots} cheaper-snapshot=${reasons.length - CLIENTS} cut-before-snapshot=${cut} ` +
        `time=${(elapsedMs / 1000).toFixed(1)}s ingest→broadcast p50=${metrics.ingestToBroadcastMs.p50}ms p99=${metrics.ingestToBroadcastMs.p99}ms`,
    );
  } finally {
    for (const v of viewers) v.close();
  }
});
