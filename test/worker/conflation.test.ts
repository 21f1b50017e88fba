/**
 * Conflation (COALESCE_MS, default 100 ms): 1,000 progress updates in about a second reach a socket as
 * at most one delta per window, each merged delta one seq; a status change is sent at once, after what
 * was held; an eviction mid-window loses nothing acknowledged.
 */
import { evictDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_COALESCE_MS, type DeltaFrame } from "../../protocol/index.ts";
import { ev } from "../../dev/events.ts";
import { channelObject, hub, send, snapshot, uniqueChannel } from "./support/hub.ts";
import { SocketProbe, settle } from "./support/socket-probe.ts";

afterEach(() => SocketProbe.closeAll());

const BATCHES = 20;
const PER_BATCH = 50;
const BATCH_EVERY_MS = 50;

const progressOf = (d: DeltaFrame) => d.changes.flatMap((c) => (c.kind === "task" && c.op === "patch" && c.value.progress ? [c.value.progress.percent] : []));
const eventIdsOf = (d: DeltaFrame) => d.cause?.ids ?? [d.cause!.id!];

async function viewerOf(channel: string): Promise<SocketProbe> {
  const probe = await SocketProbe.open(channel, { ticket: await hub.ticket([channel]) });
  await probe.waitForFrames(2);
  return probe;
}

describe("conflation of high-frequency updates", () => {
  it("1,000 progress updates in about a second: at most one delta per window, every event in one, the last percent exact", async () => {
    const channel = uniqueChannel("conflate");
    const { head } = await send(channel, ev.taskUpsert({ id: 1, title: "Busy" }));
    const viewer = await viewerOf(channel);

    const sentIds: string[] = [];
    const startMs = Date.now();
    for (let b = 0; b < BATCHES; b++) {
      const events = Array.from({ length: PER_BATCH }, (_, i) => ev.taskProgress(1, (b * PER_BATCH + i + 1) / 10));
      sentIds.push(...events.map((e) => e.id));
      expect(await send(channel, ...events)).toMatchObject({ accepted: PER_BATCH });
      const waitMs = startMs + (b + 1) * BATCH_EVERY_MS - Date.now();
      if (waitMs > 0) await settle(waitMs);
    }
    await viewer.waitFor("the last percent", () => viewer.deltas.some((d) => progressOf(d).includes(100)), 2000);
    const elapsedMs = Date.now() - startMs;

    const deltas = viewer.deltas;
    expect(deltas.map((d) => d.seq)).toEqual(deltas.map((_, i) => head + 1 + i));
    // Every acknowledged event is in exactly one delta, in order.
    expect(deltas.flatMap(eventIdsOf)).toEqual(sentIds);
    for (const d of deltas) expect(d.cause?.merged ?? 1).toBe(eventIdsOf(d).length);
    // One delta per window, plus the first, sent at once.
    expect(deltas.length).toBeLessThanOrEqual(Math.ceil(elapsedMs / DEFAULT_COALESCE_MS) + 1);
    expect(progressOf(deltas.at(-1)!)).toEqual([100]);
    expect((await snapshot(channel)).state.tasks.master?.["1"]?.progress?.percent).toBe(100);
    const bytes = deltas.reduce((sum, d) => sum + new TextEncoder().encode(JSON.stringify(d)).length, 0);
    console.log(`conflation: ${BATCHES * PER_BATCH} progress events in ${elapsedMs} ms → ${deltas.length} deltas (${((deltas.length * 1000) / elapsedMs).toFixed(1)}/s), ${bytes} bytes`);
  });

  it("a status change is sent at once, right after the update held for its task, in the same commit", async () => {
    const channel = uniqueChannel("conflate-status");
    const { head } = await send(channel, ev.taskUpsert({ id: 1 }));
    const viewer = await viewerOf(channel);
    // One batch, so no window can end in between: 10 goes out, 20 and 30 are held, the status change sends them first.
    await send(channel, ev.taskProgress(1, 10), ev.taskProgress(1, 20), ev.taskProgress(1, 30), ev.taskUpsert({ id: 1, status: "done" }));
    await viewer.waitFor("three deltas", () => viewer.deltas.length >= 3);
    const [first, held, status] = viewer.deltas;
    expect(first).toMatchObject({ seq: head + 1, cause: { type: "task.progress" } });
    expect(held).toMatchObject({ seq: head + 2, cause: { type: "task.progress", merged: 2 } });
    expect(progressOf(held!)).toEqual([30]);
    expect(status).toMatchObject({ seq: head + 3, cause: { type: "task.upsert" } });
    // Committed together: the status change did not wait for the window.
    expect(held!.at).toBe(status!.at);
  });

  it("a connect while an update is held: the held update is committed first, and the new socket starts with hello and a snapshot holding it", async () => {
    const channel = uniqueChannel("conflate-connect");
    const { head } = await send(channel, ev.taskUpsert({ id: 1 }), ev.taskProgress(1, 10), ev.taskProgress(1, 20));
    // 10 went out at once; 20 was held, and this connect sent it (head + 1).
    const early = await viewerOf(channel);
    expect(early.frames[1]).toMatchObject({ type: "snapshot", seq: head + 1 });
    await send(channel, ev.taskProgress(1, 30), ev.taskProgress(1, 40));
    const late = await SocketProbe.open(channel, { ticket: await hub.ticket([channel]) });
    await late.waitForFrames(2);
    expect(late.frames[0]).toMatchObject({ type: "hello", recovered: false });
    expect(late.frames[1]).toMatchObject({ type: "snapshot", state: { tasks: { master: { "1": { progress: { percent: 40 } } } } } });
    // The snapshot's seq is a delta the early socket gets too: nothing the snapshot holds lacks a seq.
    const seq = (late.frames[1] as { seq: number }).seq;
    const last = await early.waitForSeq(seq);
    expect(progressOf(last)).toEqual([40]);
    expect(early.deltas.map((d) => d.seq)).toEqual(early.deltas.map((_, i) => head + 2 + i));
  });

  it("an eviction mid-window loses nothing acknowledged: the held updates go out after it, with the next seqs", async () => {
    const channel = uniqueChannel("conflate-evict");
    const { head } = await send(channel, ev.taskUpsert({ id: 1 }), ev.health("build", { cpu: 1 }));
    const viewer = await viewerOf(channel);
    // 10 goes out at once; 55 is held, and so are cpu 2, 3, 4 (cpu 1 went out just before): acknowledged, not yet sent.
    const batch = [ev.taskProgress(1, 10), ev.health("build", { cpu: 2 }), ev.taskProgress(1, 55), ev.health("build", { cpu: 3 }), ev.health("build", { cpu: 4 })];
    expect(await send(channel, ...batch)).toMatchObject({ accepted: 5, head: head + 1 });

    await evictDurableObject(channelObject(channel), { webSockets: "hibernate" });

    await viewer.waitFor("the held updates", () => viewer.deltas.length >= 3, 3000);
    await settle(DEFAULT_COALESCE_MS);
    const deltas = viewer.deltas;
    expect(deltas.map((d) => d.seq)).toEqual([head + 1, head + 2, head + 3]);
    const held = deltas.slice(1);
    expect(held.flatMap(progressOf)).toEqual([55]);
    expect(held.flatMap((d) => d.changes.flatMap((c) => (c.kind === "health" ? [c.value.cpu] : [])))).toEqual([2, 3, 4]);
    expect(held.map((d) => d.cause?.merged ?? 1).sort()).toEqual([1, 3]);
    const state = (await snapshot(channel)).state;
    expect(state.tasks.master?.["1"]?.progress?.percent).toBe(55);
    expect(state.health.build?.map((s) => s.cpu)).toEqual([1, 2, 3, 4]);
  });
});
