import { describe, expect, it } from "vitest";
import { PING_FRAME_TEXT, PROTOCOL_VERSION, type DeltaFrame } from "../../../protocol/index.ts";
import { agentPatch, agentSet, makeHarness, renderFrame, startLive } from "./harness.ts";

const RESYNC = '{"type":"resync"}';

describe("LiveChannel keeps the state exact", () => {
  it("on a gap: sends one resync, keeps showing the last consistent state, then takes the snapshot", async () => {
    const h = makeHarness();
    const socket = await startLive(h);
    socket.onClientFrame = null; // the hub answers resync by hand below
    h.hub.commit([agentSet("a")]);
    const consistent = h.live.state;
    // Seq 2 and 3 get lost on the way; 4 and 5 arrive.
    h.hub.sockets.clear();
    h.hub.commit([agentSet("b")]);
    h.hub.commit([agentSet("c")]);
    const d4 = h.hub.commit([agentSet("d")]);
    const d5 = h.hub.commit([agentPatch("b", "busy")]);
    socket.receive(d4);
    socket.receive(d5);
    expect(socket.sent.filter((t) => t === RESYNC)).toHaveLength(1);
    expect(h.live.state).toBe(consistent);
    expect(h.live.status).toMatchObject({ phase: "catching-up", seq: 1 });
    expect(h.live.debug.replays).toMatchObject({ gaps: 2, resyncs: 1 });
    socket.receive(h.hub.snapshot());
    expect(h.live.status).toMatchObject({ phase: "live", seq: 5 });
    expect(h.live.state).toEqual(h.hub.state);
  });

  it("ignores duplicated deltas", async () => {
    const h = makeHarness();
    const socket = await startLive(h);
    const d1 = h.hub.commit([agentSet("a")]);
    const state = h.live.state;
    socket.receive(d1);
    socket.receive(d1);
    expect(h.live.state).toBe(state);
    expect(h.live.activity.map((e) => e.seq)).toEqual([1]);
    expect(socket.sent).not.toContain(RESYNC);
  });

  it("on a conflict: refuses the whole delta, resyncs, and never persists the diverged state", async () => {
    const h = makeHarness();
    const socket = await startLive(h);
    h.hub.commit([agentSet("a")]);
    h.clock.advance(2_000);
    const saved = h.cache.load("demo");
    const consistent = h.live.state;
    socket.onClientFrame = null;
    socket.receive({ type: "delta", epoch: h.hub.epoch, seq: 2, at: "2026-01-01T00:00:00Z", changes: [agentSet("x"), agentPatch("ghost", "busy")] });
    expect(h.live.state).toBe(consistent);
    expect(h.live.state?.agents["x"]).toBeUndefined();
    expect(socket.sent.filter((t) => t === RESYNC)).toHaveLength(1);
    expect(h.live.status.phase).toBe("catching-up");
    h.live.saveCache();
    expect(h.cache.load("demo")).toEqual(saved);
    // Reconnecting now would ask for a snapshot (no cursor), not a replay onto a diverged state.
    socket.serverClose(1006);
    h.clock.advance(h.live.status.nextRetryAtMs! - h.clock.now());
    const next = await h.nextSocket();
    expect(next.params).toEqual({ ticket: "ticket-1" });
    h.hub.accept(next);
    expect(h.live.state).toEqual(h.hub.state);
    expect(h.live.status.phase).toBe("live");
  });

  it("on an epoch change mid-stream: resyncs and continues in the new epoch", async () => {
    const h = makeHarness();
    const socket = await startLive(h);
    h.hub.commit([agentSet("a")]);
    h.hub.reset("epoch-2");
    h.hub.commit([agentSet("fresh")]);
    expect(socket.sent.filter((t) => t === RESYNC)).toHaveLength(1);
    expect(h.live.status).toMatchObject({ phase: "live", epoch: "epoch-2", seq: 1 });
    expect(h.live.state).toEqual(h.hub.state);
    expect(h.live.state?.agents["a"]).toBeUndefined();
    h.hub.commit([agentSet("next")]);
    expect(h.live.status.seq).toBe(2);
  });

  it("reconnects when a resync gets no snapshot in time", async () => {
    const h = makeHarness();
    const socket = await startLive(h);
    socket.onClientFrame = null;
    socket.receive({ type: "delta", epoch: h.hub.epoch, seq: 5, at: "2026-01-01T00:00:00Z", changes: [] });
    // Keep the heartbeat happy so only the resync timeout can fire.
    h.clock.advance(5_000);
    socket.receive('{"type":"pong"}');
    h.clock.advance(4_999);
    expect(socket.closedByClient).toBeNull();
    h.clock.advance(1);
    expect(socket.closedByClient).not.toBeNull();
    expect(h.live.status.phase).toBe("reconnecting");
    expect(h.live.status.message).toMatch(/no snapshot 10 s after resync/);
  });
});

describe("LiveChannel outgoing frames", () => {
  it("queues frames until the resume handshake (hello + replay) is complete", async () => {
    const h = makeHarness();
    h.hub.commit([agentSet("a")]);
    h.cache.save("demo", { epoch: h.hub.epoch, seq: 1, state: structuredClone(h.hub.state) });
    h.hub.commit([agentSet("b")]);
    h.hub.commit([agentSet("c")]);
    h.live.send({ type: "resync" });
    h.live.start();
    const socket = await h.nextSocket();
    socket.open();
    socket.receive({ type: "hello", protocol: PROTOCOL_VERSION, channel: "demo", epoch: h.hub.epoch, head: 3, recovered: true });
    socket.receive(h.hub.log[1]!);
    expect(socket.sent).toEqual([]);
    socket.receive(h.hub.log[2]!);
    expect(h.live.status.phase).toBe("live");
    expect(socket.sent).toEqual([RESYNC]);
    renderFrame(h);
    expect(socket.sent).toEqual([RESYNC, PING_FRAME_TEXT]);
    // Live: sent at once.
    h.live.send({ type: "ping" });
    expect(socket.sent.at(-1)).toBe(PING_FRAME_TEXT);
    expect(socket.sent).toHaveLength(3);
  });

  it("queues frames made while reconnecting and sends them after the next handshake", async () => {
    const h = makeHarness();
    const socket = await startLive(h);
    socket.serverClose(1012);
    h.live.send({ type: "resync" });
    h.clock.advance(h.live.status.nextRetryAtMs! - h.clock.now());
    const next = await h.nextSocket();
    next.onClientFrame = null;
    h.hub.accept(next);
    expect(next.sent).toEqual([RESYNC]);
  });
});

describe("LiveChannel rendering and feeds", () => {
  it("notifies listeners at most once per animation frame, however many deltas arrive", async () => {
    const h = makeHarness();
    await startLive(h);
    let renders = 0;
    h.live.subscribe(() => renders++);
    for (let i = 0; i < 500; i++) h.hub.commit([agentSet()]);
    expect(renders).toBe(0);
    expect(h.frames.pending).toBe(1);
    h.frames.flush();
    expect(renders).toBe(1);
    expect(h.frames.pending).toBe(0);
    expect(h.live.status.seq).toBe(500);
    h.hub.commit([agentSet()]);
    h.frames.flush();
    expect(renders).toBe(2);
  });

  it("gives new state and status objects when they change, the same ones when they do not", async () => {
    const h = makeHarness();
    await startLive(h);
    const [state, status, activity] = [h.live.state, h.live.status, h.live.activity];
    expect(h.live.status).toBe(status);
    expect(h.live.activity).toBe(activity);
    h.hub.commit([agentSet()]);
    expect(h.live.state).not.toBe(state);
    expect(h.live.status).not.toBe(status);
    expect(h.live.activity).not.toBe(activity);
  });

  it("keeps the newest 200 deltas in the activity feed, newest first, with their cause", async () => {
    const h = makeHarness();
    await startLive(h);
    for (let i = 0; i < 250; i++) h.hub.commit([agentSet()], { type: "agent.status", id: `evt-${i + 1}` });
    const feed = h.live.activity;
    expect(feed).toHaveLength(200);
    expect(feed[0]).toMatchObject({ seq: 250, cause: { type: "agent.status", id: "evt-250" } });
    expect(feed[199]!.seq).toBe(51);
  });

  it("fills the debug info: lifecycle log, frame rates, the last 50 frames, replay stats", async () => {
    const h = makeHarness();
    await startLive(h);
    for (let i = 0; i < 80; i++) h.hub.commit([agentSet()]);
    const debug = h.live.debug;
    expect(debug.log.map((e) => e.text)).toEqual(expect.arrayContaining(["start", "socket open; waiting for hello", "live at seq 0"]));
    expect(debug.lastFrames).toHaveLength(50);
    expect(JSON.parse(debug.lastFrames.at(-1)!.text) as DeltaFrame).toMatchObject({ type: "delta", seq: 80 });
    expect(debug.framesInPerSec).toBe(83); // pong + hello + snapshot + 80 deltas, all within this second
    expect(debug.framesOutPerSec).toBe(1); // the first ping
    expect(debug.replays).toEqual({ recovered: 0, snapshots: 1, resyncs: 0, gaps: 0 });
    h.clock.advance(1_001);
    expect(h.live.debug.framesInPerSec).toBe(0);
  });
});
