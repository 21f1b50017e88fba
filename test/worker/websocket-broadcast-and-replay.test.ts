/**
 * The viewer's socket: hello, snapshot or replay, live broadcast to every
 * socket, resume after a disconnect, and what a viewer may send.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  CloseCode,
  PING_FRAME_TEXT,
  PONG_FRAME_TEXT,
  PROTOCOL_VERSION,
  Paths,
  applyChanges,
  deltasOf,
  type ChannelState,
  type DeltaFrame,
  type ServerFrame,
  type SnapshotFrame,
} from "../../protocol/index.ts";
import { MAX_EARLY_RESYNCS } from "../../worker/channel/socket-policy.ts";
import { ev } from "../../dev/events.ts";
import { hub, send, snapshot, uniqueChannel } from "./support/hub.ts";
import { SocketProbe, settle } from "./support/socket-probe.ts";

/** A viewer's ticket for every channel. */
let TICKET = "";
beforeAll(async () => {
  TICKET = await hub.viewerTicket();
});

afterEach(() => SocketProbe.closeAll());

/** What a client holds after its snapshot and every delta since, in order; throws on a gap. */
function clientState(frames: readonly ServerFrame[]): { seq: number; state: ChannelState } {
  const snap = frames.find((f): f is SnapshotFrame => f.type === "snapshot");
  if (!snap) throw new Error("no snapshot frame");
  const state = structuredClone(snap.state);
  let seq = snap.seq;
  for (const f of frames.slice(frames.indexOf(snap) + 1).flatMap((frame) => deltasOf(frame))) {
    if (f.seq !== seq + 1) throw new Error(`gap: seq ${f.seq} after ${seq}`);
    applyChanges(state, f.changes);
    seq = f.seq;
  }
  return { seq, state };
}

const seqs = (frames: readonly DeltaFrame[]) => frames.map((d) => d.seq);

describe("connecting", () => {
  it("a first connection gets hello (not recovered) and the snapshot the REST API serves", async () => {
    const channel = uniqueChannel("ws-hello");
    await send(channel, ev.agentStatus("a1", "busy", { taskId: "2" }), ev.taskUpsert({ id: 2, title: "Two", subtasks: [{ id: 1, title: "half" }] }));
    const rest = await snapshot(channel);
    const viewer = await SocketProbe.open(channel, { ticket: TICKET });
    const [hello, snap] = await viewer.waitForFrames(2);
    expect(hello).toStrictEqual({ type: "hello", protocol: PROTOCOL_VERSION, channel, epoch: rest.epoch, head: 2, recovered: false, reason: "no-cursor" });
    expect(snap).toStrictEqual({ type: "snapshot", epoch: rest.epoch, seq: 2, state: rest.state });
    await settle();
    expect(viewer.frames).toHaveLength(2);
  });

  it("an empty channel has seq 0 and an empty state", async () => {
    const channel = uniqueChannel("ws-empty");
    const viewer = await SocketProbe.open(channel, { ticket: TICKET });
    const [hello, snap] = await viewer.waitForFrames(2);
    expect(hello).toMatchObject({ type: "hello", head: 0, recovered: false });
    expect(snap).toMatchObject({ type: "snapshot", seq: 0, state: { meta: {}, agents: {}, tasks: {}, health: {} } });
  });
});

describe("broadcast", () => {
  it("every socket receives every delta once, in seq order, identical across sockets", async () => {
    const channel = uniqueChannel("ws-fanout");
    const viewers = await Promise.all([1, 2, 3].map(() => SocketProbe.open(channel, { ticket: TICKET })));
    for (const v of viewers) await v.waitForFrames(2);
    const epoch = (viewers[0]!.frames[0] as { epoch: string }).epoch;

    const upsert = ev.taskUpsert({ id: 1, title: "One", status: "in-progress" });
    expect(await send(channel, upsert)).toMatchObject({ head: 1 });
    expect(await send(channel, ev.taskProgress(1, 50), ev.agentStatus("a9", "busy", { taskId: "1" }))).toMatchObject({ head: 3 });

    for (const v of viewers) await v.waitForSeq(3);
    await settle();
    // A webhook batch reaches each socket as one frame.
    for (const v of viewers) expect(v.frames.map((f) => f.type)).toStrictEqual(["hello", "snapshot", "delta", "deltas"]);
    const [first, ...others] = viewers.map((v) => v.deltas);
    expect(seqs(first!)).toStrictEqual([1, 2, 3]);
    for (const other of others) expect(other).toStrictEqual(first);
    expect(first![0]).toStrictEqual({
      type: "delta",
      epoch,
      seq: 1,
      at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      changes: [
        {
          kind: "task",
          op: "set",
          tag: "master",
          key: "1",
          value: { id: "1", tag: "master", title: "One", status: "in-progress", dependencies: [], subtasks: [], updatedAt: upsert.occurredAt },
        },
      ],
      cause: { type: "task.upsert", id: upsert.id },
    });
    for (const v of viewers) expect(clientState(v.frames).state).toStrictEqual((await snapshot(channel)).state);
  });

  it("no gap and no duplicate for sockets that connect while webhooks pour in", async () => {
    const channel = uniqueChannel("ws-race");
    const early = await SocketProbe.open(channel, { ticket: TICKET });
    const posts: Promise<unknown>[] = [];
    const late: Promise<SocketProbe>[] = [];
    for (let i = 0; i < 30; i++) {
      posts.push(send(channel, ev.taskProgress(1, i), ev.heartbeat(`agent-${i % 3}`)));
      if (i % 10 === 5) late.push(SocketProbe.open(channel, { ticket: TICKET }));
    }
    await Promise.all(posts);
    const viewers = [early, ...(await Promise.all(late))];
    // Progress and heartbeats are conflated (COALESCE_MS): fewer deltas than events, each event in exactly one.
    const final = await snapshot(channel);
    for (const v of viewers) {
      await v.waitForSeq(final.seq);
      const got = clientState(v.frames);
      expect(got.seq).toBe(final.seq);
      expect(got.state).toStrictEqual(final.state);
    }
    expect(early.deltas.map((d) => d.seq)).toEqual(Array.from({ length: final.seq }, (_, i) => i + 1));
    expect(early.deltas.reduce((events, d) => events + (d.cause?.merged ?? 1), 0)).toBe(60);
  });
});

describe("resuming after a disconnect", () => {
  it("replays exactly the missed deltas (recovered: true), then continues live", async () => {
    const channel = uniqueChannel("ws-replay");
    const steady = await SocketProbe.open(channel, { ticket: TICKET });
    const roaming = await SocketProbe.open(channel, { ticket: TICKET });
    // A task with a long description nobody touches later: the snapshot outweighs the four deltas missed, so they are replayed.
    await send(channel, ev.taskUpsert({ id: 1 }), ev.taskUpsert({ id: 2 }), ev.taskUpsert({ id: 3, description: "d".repeat(4000) }));
    await roaming.waitForSeq(3);
    const epoch = (roaming.frames[0] as { epoch: string }).epoch;
    roaming.close();

    await send(channel, ev.taskProgress(1, 10));
    await send(channel, ev.taskProgress(2, 20), ev.agentStatus("a1", "busy"));
    await send(channel, ev.meta({ name: "while away" }));

    const back = await SocketProbe.open(channel, { ticket: TICKET, since: 3, epoch });
    await back.waitForSeq(7);
    expect(back.frames[0]).toStrictEqual({ type: "hello", protocol: PROTOCOL_VERSION, channel, epoch, head: 7, recovered: true });
    // The replay packs all four into one frame.
    expect(back.frames.slice(1).map((f) => f.type)).toStrictEqual(["deltas"]);
    await steady.waitForSeq(7);
    // The replay is the same frames the steady socket saw live.
    expect(back.deltas).toStrictEqual(steady.deltas.filter((d) => d.seq > 3));

    await send(channel, ev.taskProgress(1, 99));
    await back.waitForSeq(8);
    await settle();
    expect(seqs(back.deltas)).toStrictEqual([4, 5, 6, 7, 8]);
  });

  it("answers with the snapshot when the missed deltas weigh more than it (cheaper-snapshot), over the socket and REST", async () => {
    const channel = uniqueChannel("ws-cheaper");
    // A snapshot of about 1 KB: heavier than one small delta, lighter than fifty.
    await send(channel, ev.taskUpsert({ id: 1, title: "One", description: "d".repeat(1000) }));
    const { epoch } = await snapshot(channel);
    // Title changes, not progress: conflation would merge progress updates into fewer deltas.
    await send(channel, ...Array.from({ length: 50 }, (_, i) => ev.taskUpsert({ id: 1, title: `One, take ${i}` })));
    const rest = await snapshot(channel);
    const viewer = await SocketProbe.open(channel, { ticket: TICKET, since: 1, epoch });
    const [hello, snap] = await viewer.waitForFrames(2);
    expect(hello).toStrictEqual({ type: "hello", protocol: PROTOCOL_VERSION, channel, epoch, head: 51, recovered: false, reason: "cheaper-snapshot" });
    expect(snap).toStrictEqual({ type: "snapshot", ...rest });
    expect(await (await hub.get(`${Paths.deltas(channel)}?since=1&epoch=${epoch}`, TICKET)).json()).toStrictEqual({ recovered: false, reason: "cheaper-snapshot", snapshot: rest });
    // The last one missed is still cheaper to replay.
    const near = await SocketProbe.open(channel, { ticket: TICKET, since: 50, epoch });
    await near.waitForSeq(51);
    expect(near.frames[0]).toMatchObject({ recovered: true });
  });

  it("since = head recovers with nothing to replay", async () => {
    const channel = uniqueChannel("ws-uptodate");
    await send(channel, ev.meta({ name: "x" }), ev.meta({ currentTag: "t" }));
    const { epoch } = await snapshot(channel);
    const viewer = await SocketProbe.open(channel, { ticket: TICKET, since: 2, epoch });
    await viewer.waitForFrames(1);
    await settle();
    expect(viewer.frames).toStrictEqual([{ type: "hello", protocol: PROTOCOL_VERSION, channel, epoch, head: 2, recovered: true }]);
  });

  it("falls back to a snapshot for a wrong epoch, a seq ahead of head, or a cursor without an epoch; refuses a malformed since", async () => {
    const channel = uniqueChannel("ws-fallback");
    await send(channel, ev.taskUpsert({ id: 1, title: "t" }), ev.taskUpsert({ id: 2, title: "u" }));
    const rest = await snapshot(channel);
    const cursors = [
      [{ since: 1, epoch: "some-other-epoch" }, "epoch-mismatch"],
      [{ since: 3, epoch: rest.epoch }, "ahead"],
      [{ since: 1 }, "no-cursor"], // no epoch
    ] as const;
    for (const [cursor, reason] of cursors) {
      const viewer = await SocketProbe.open(channel, { ticket: TICKET, ...cursor });
      const [hello, snap] = await viewer.waitForFrames(2);
      expect(hello, JSON.stringify(cursor)).toStrictEqual({ type: "hello", protocol: PROTOCOL_VERSION, channel, epoch: rest.epoch, head: 2, recovered: false, reason });
      expect(snap).toStrictEqual({ type: "snapshot", ...rest });
      viewer.close();
    }
    // A since that is not digits is a client's bug: named, not quietly answered (test/worker/hostile/query-params.test.ts has more).
    for (const since of [-1, "1.5", "abc"]) {
      const viewer = await SocketProbe.open(channel, { ticket: TICKET, since, epoch: rest.epoch });
      expect((await viewer.waitForClose()).code, String(since)).toBe(CloseCode.PROTOCOL_ERROR);
      expect(viewer.frames).toStrictEqual([{ type: "error", code: "bad_request", message: "since must be a non-negative integer seq" }]);
    }
  });
});

describe("frames from the viewer", () => {
  it("ping is answered with pong, also when spelled with spaces", async () => {
    const channel = uniqueChannel("ws-ping");
    const viewer = await SocketProbe.open(channel, { ticket: TICKET });
    await viewer.waitForFrames(2);
    viewer.send(PING_FRAME_TEXT);
    viewer.send('{ "type": "ping" }');
    const frames = await viewer.waitForFrames(4);
    expect(frames.slice(2)).toStrictEqual([JSON.parse(PONG_FRAME_TEXT), JSON.parse(PONG_FRAME_TEXT)]);
  });

  it("resync answers the current snapshot", async () => {
    const channel = uniqueChannel("ws-resync");
    const viewer = await SocketProbe.open(channel, { ticket: TICKET });
    await viewer.waitForFrames(2);
    await send(channel, ev.agentStatus("a1", "idle"));
    await viewer.waitForSeq(1);
    viewer.send('{"type":"resync"}');
    const frames = await viewer.waitForFrames(4);
    expect(frames[3]).toStrictEqual({ type: "snapshot", ...(await snapshot(channel)) });
  });

  it("bad frames get an error frame each; the third closes with 4400", async () => {
    const channel = uniqueChannel("ws-bad");
    const viewer = await SocketProbe.open(channel, { ticket: TICKET });
    await viewer.waitForFrames(2);
    viewer.send("not json");
    viewer.send('{"type":"subscribe"}');
    viewer.send(new TextEncoder().encode(PING_FRAME_TEXT).buffer as ArrayBuffer);
    const closed = await viewer.waitForClose();
    expect(closed.code).toBe(CloseCode.PROTOCOL_ERROR);
    const error = { type: "error", code: "bad_frame", message: `expected ${PING_FRAME_TEXT}, {"type":"resync"} or {"type":"auth","ticket":…}` };
    expect(viewer.frames.slice(2)).toStrictEqual([error, error, error]);
  });

  it("two bad frames are forgiven: the socket stays open and works", async () => {
    const channel = uniqueChannel("ws-bad-2");
    const viewer = await SocketProbe.open(channel, { ticket: TICKET });
    await viewer.waitForFrames(2);
    viewer.send("oops");
    viewer.send("oops");
    await viewer.waitForFrames(4);
    await send(channel, ev.meta({ name: "still here" }));
    await viewer.waitForSeq(1);
    expect(viewer.closed).toBeNull();
  });

  it("a flood of frames is answered with rate_limited and close 4429", async () => {
    const channel = uniqueChannel("ws-flood");
    const viewer = await SocketProbe.open(channel, { ticket: TICKET });
    await viewer.waitForFrames(2);
    // Not the exact ping text, so each reaches the object instead of the runtime's auto-response.
    for (let i = 0; i < 60; i++) viewer.send('{ "type": "ping" }');
    const closed = await viewer.waitForClose();
    expect(closed.code).toBe(CloseCode.RATE_LIMITED);
    const errors = viewer.frames.filter((f) => f.type === "error");
    expect(errors).toStrictEqual([{ type: "error", code: "rate_limited", message: "too many frames; slow down and reconnect later" }]);
    // Frames before the limit were served.
    const pongs = viewer.frames.filter((f) => f.type === "pong").length;
    console.log(`flood: ${pongs} pongs before the limit`);
    expect(pongs).toBeGreaterThanOrEqual(30);
    expect(pongs).toBeLessThan(60);
  });

  it("resync is answered at most once per 5 s: an early one gets bad_frame saying when, repeated early ones close 4429", async () => {
    const channel = uniqueChannel("ws-resync-rate");
    await send(channel, ev.meta({ name: "r" }));
    const viewer = await SocketProbe.open(channel, { ticket: TICKET });
    await viewer.waitForFrames(2);
    viewer.send('{"type":"resync"}');
    await viewer.waitForFrames(3);
    expect(viewer.frames[2]).toMatchObject({ type: "snapshot", seq: 1 });
    for (let i = 0; i < MAX_EARLY_RESYNCS + 1; i++) viewer.send('{"type":"resync"}');
    const closed = await viewer.waitForClose();
    expect(closed.code).toBe(CloseCode.RATE_LIMITED);
    const early = { type: "error", code: "bad_frame", message: expect.stringMatching(/^resync is answered at most once every 5 s; ask again at \d{4}-\d\d-\d\dT/) };
    expect(viewer.frames.slice(3)).toStrictEqual([
      ...Array.from({ length: MAX_EARLY_RESYNCS }, () => early),
      { type: "error", code: "rate_limited", message: "too many early resyncs; reconnect later" },
    ]);
    // The early answers are errors only: a single snapshot was serialised.
    expect(viewer.frames.filter((f) => f.type === "snapshot")).toHaveLength(2);
  });

  it("a viewer's close is answered, echoing its code, and the hub forgets the socket", async () => {
    const channel = uniqueChannel("ws-close");
    const leaving = await SocketProbe.open(channel, { ticket: TICKET });
    const staying = await SocketProbe.open(channel, { ticket: TICKET });
    await leaving.waitForFrames(2);
    await staying.waitForFrames(2);
    leaving.close(4000, "tab hidden");
    expect(await leaving.waitForClose()).toStrictEqual({ code: 4000, reason: "tab hidden" });
    await send(channel, ev.meta({ name: "after close" }));
    await staying.waitForSeq(1);
    expect(leaving.deltas).toHaveLength(0);
  });

  it("pings do not count against the flood limit", async () => {
    const channel = uniqueChannel("ws-ping-flood");
    const viewer = await SocketProbe.open(channel, { ticket: TICKET });
    await viewer.waitForFrames(2);
    for (let i = 0; i < 100; i++) viewer.send(PING_FRAME_TEXT);
    await viewer.waitForFrames(102);
    expect(viewer.closed).toBeNull();
    expect(viewer.frames.slice(2).every((f) => f.type === "pong")).toBe(true);
  });
});
