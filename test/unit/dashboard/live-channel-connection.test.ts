import { describe, expect, it } from "vitest";
import { CloseCode, PING_FRAME_TEXT, PONG_FRAME_TEXT, PROTOCOL_VERSION, backoffWindowMs } from "../../../protocol/index.ts";
import { DEFAULT_BACKOFF, LiveChannel, TicketSource, noPageEvents } from "../../../dashboard/src/lib/live/index.ts";
import { FakeClock, settle } from "../../fakes/dashboard/fake-clock.ts";
import { FakeHub } from "../../fakes/dashboard/fake-hub.ts";
import { FakeSocketConnector } from "../../fakes/dashboard/fake-socket.ts";
import { ManualFrames } from "../../fakes/dashboard/manual-frames.ts";
import { BASE_URL, agentSet, makeHarness, renderFrame, startLive } from "./harness.ts";

describe("LiveChannel connection state machine", () => {
  it("connects, takes the snapshot, and goes live", async () => {
    const h = makeHarness();
    h.hub.commit([agentSet("a")]);
    h.hub.commit([agentSet("b")]);
    h.live.start();
    expect(h.live.status).toMatchObject({ phase: "connecting", transport: null, seq: null });
    const socket = await h.nextSocket();
    expect(socket.params).toEqual({ ticket: "ticket-1" });
    socket.open();
    expect(h.live.status.phase).toBe("connecting");
    socket.receive({ type: "hello", protocol: PROTOCOL_VERSION, channel: "demo", epoch: h.hub.epoch, head: 2, recovered: false });
    expect(h.live.status).toMatchObject({ phase: "catching-up", transport: "websocket", behind: 2 });
    expect(h.live.state).toBeNull();
    socket.receive(h.hub.snapshot());
    expect(h.live.status).toMatchObject({ phase: "live", transport: "websocket", seq: 2, epoch: h.hub.epoch, behind: 0, attempt: 0 });
    expect(Object.keys(h.live.state!.agents)).toEqual(["a", "b"]);
  });

  it("replays what it missed: catching-up with `behind` counting down, then live", async () => {
    const h = makeHarness();
    h.hub.commit([agentSet("a")]);
    h.cache.save("demo", { epoch: h.hub.epoch, seq: 1, state: structuredClone(h.hub.state) });
    for (let i = 0; i < 3; i++) h.hub.commit([agentSet()]);
    h.live.start();
    const socket = await h.nextSocket();
    expect(socket.params).toMatchObject({ since: "1", epoch: h.hub.epoch });
    socket.open();
    socket.receive({ type: "hello", protocol: PROTOCOL_VERSION, channel: "demo", epoch: h.hub.epoch, head: 4, recovered: true });
    expect(h.live.status).toMatchObject({ phase: "catching-up", behind: 3 });
    socket.receive(h.hub.log[1]!);
    socket.receive(h.hub.log[2]!);
    expect(h.live.status).toMatchObject({ phase: "catching-up", behind: 1, seq: 3 });
    socket.receive(h.hub.log[3]!);
    expect(h.live.status).toMatchObject({ phase: "live", behind: 0, seq: 4 });
    expect(h.live.state).toEqual(h.hub.state);
  });

  it("reconnects with since = the last APPLIED seq, not the last received one", async () => {
    const h = makeHarness();
    const socket = await startLive(h);
    h.hub.commit([agentSet()]);
    // seq 3 arrives without seq 2: received but not applied.
    socket.receive({ type: "delta", epoch: h.hub.epoch, seq: 3, at: "2026-01-01T00:00:00Z", changes: [agentSet()] });
    expect(h.live.status.seq).toBe(1);
    socket.serverClose(1006, "");
    expect(h.live.status).toMatchObject({ phase: "reconnecting", attempt: 1, transport: null, closeCode: 1006 });
    const retryIn = h.live.status.nextRetryAtMs! - h.clock.now();
    expect(retryIn).toBeGreaterThanOrEqual(0);
    expect(retryIn).toBeLessThan(backoffWindowMs(1, DEFAULT_BACKOFF));
    h.clock.advance(retryIn);
    const next = await h.nextSocket();
    expect(next.params).toEqual({ since: "1", epoch: h.hub.epoch, ticket: "ticket-1" });
  });

  it("4404 (channel deleted): drops the state on screen and in the cache at once, then resumes into a snapshot of the new channel", async () => {
    const h = makeHarness({ random: () => 0.5 });
    h.hub.commit([agentSet("a")]);
    const socket = await startLive(h);
    expect(Object.keys(h.live.state!.agents)).toEqual(["a"]);
    socket.serverClose(CloseCode.CHANNEL_DELETED, "the channel was deleted");
    expect(h.live.state?.agents).toEqual({});
    expect(h.live.status).toMatchObject({ phase: "reconnecting", closeCode: CloseCode.CHANNEL_DELETED, seq: 0 });
    h.clock.advance(1_000); // the throttled cache save, and the retry
    expect(h.cache.load("demo")).toMatchObject({ seq: 0, epoch: "", state: { agents: {} } });
    const next = await h.nextSocket();
    // An epoch the hub never makes: the resume is answered with a snapshot.
    expect(next.params).toMatchObject({ since: "0", epoch: "" });
  });

  it("backs off with full jitter: each wait within [0, window(attempt)), windows doubling to the cap", async () => {
    let r = 0;
    const randoms = [0.99, 0.01, 0.5, 0.99, 0.2, 0.99, 0.99, 0.99, 0.7];
    const h = makeHarness({ random: () => randoms[r++ % randoms.length]!, tuning: { fallbackAfterFailures: 1000 } });
    h.live.start();
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 9; attempt++) {
      (await h.nextSocket()).fail();
      await settle(); // the reachability check
      const status = h.live.status;
      expect(status).toMatchObject({ phase: "reconnecting", attempt });
      const wait = status.nextRetryAtMs! - h.clock.now();
      expect(wait).toBeGreaterThanOrEqual(0);
      expect(wait).toBeLessThan(backoffWindowMs(attempt, DEFAULT_BACKOFF));
      waits.push(wait);
      h.clock.advance(wait);
    }
    console.log("jittered waits (ms):", waits.join(", "));
    expect(waits[0]).toBe(Math.floor(0.99 * 500));
    expect(waits[1]).toBe(Math.floor(0.01 * 1000));
    expect(waits[7]).toBe(Math.floor(0.99 * 30_000));
  });

  it("retries 1012, 1006 and 4429 with backoff; 4429 waits at least its minimum window", async () => {
    for (const code of [CloseCode.RESTARTING, 1006, 1000, CloseCode.RATE_LIMITED]) {
      const h = makeHarness({ random: () => 0.5 });
      const socket = await startLive(h);
      socket.serverClose(code, "bye");
      expect(h.live.status).toMatchObject({ phase: "reconnecting", attempt: 1, closeCode: code });
      const wait = h.live.status.nextRetryAtMs! - h.clock.now();
      expect(wait).toBe(code === CloseCode.RATE_LIMITED ? 2500 : 250);
      h.clock.advance(wait);
      h.hub.accept(await h.nextSocket());
      expect(h.live.status.phase).toBe("live");
    }
  });

  it.each([
    [CloseCode.UNAUTHORIZED, "denied", /^access denied: the ticket has expired/],
    [CloseCode.FORBIDDEN, "denied", /^access denied: the ticket has expired/],
    [CloseCode.PROTOCOL_ERROR, "offline", /refused this dashboard's frames/],
  ] as const)("close %i is terminal: phase %s, a clear message, no retry until retry()", async (code, phase, message) => {
    const h = makeHarness();
    h.live.start();
    const socket = await h.nextSocket();
    // Like refuseSocket(): accept, send an error frame, close with the code.
    socket.open();
    socket.receive({ type: "error", code: "unauthorized", message: "the ticket has expired; get a new one from POST /api/auth/ticket" });
    socket.serverClose(code, "refused");
    expect(h.live.status).toMatchObject({ phase, transport: null, nextRetryAtMs: null, closeCode: code });
    expect(h.live.status.message).toMatch(message);
    await h.clock.run(10 * 60_000);
    expect(h.connector.sockets).toHaveLength(1);
    expect(h.hub.polls).toHaveLength(0);
    h.live.retry();
    expect(h.tickets.invalidations).toBe(1);
    const again = await h.nextSocket();
    expect(again.params?.ticket).toBe("ticket-2");
    h.hub.accept(again);
    expect(h.live.status).toMatchObject({ phase: "live", message: null });
  });

  it("a refused dashboard token (ticket 401) is 'denied' without retrying", async () => {
    const h = makeHarness();
    h.tickets.mode = "deny";
    h.live.start();
    await h.clock.run(0);
    expect(h.live.status.phase).toBe("denied");
    expect(h.live.status.message).toMatch(/^access denied: the dashboard token was refused/);
    await h.clock.run(10 * 60_000);
    expect(h.connector.sockets).toHaveLength(1);
  });

  it.each([
    ["fail", /^hub unreachable: network down$/],
    ["error", /^could not get a ticket: ticket request failed: HTTP 503/],
  ] as const)("a ticket request that fails (%s) is retried with backoff", async (mode, message) => {
    const h = makeHarness();
    h.tickets.mode = mode;
    h.live.start();
    await h.clock.run(0);
    expect(h.live.status).toMatchObject({ phase: "reconnecting", attempt: 1 });
    expect(h.live.status.message).toMatch(message);
    h.tickets.mode = "ok";
    await h.clock.run(h.live.status.nextRetryAtMs! - h.clock.now());
    h.hub.accept(await h.nextSocket());
    expect(h.live.status.phase).toBe("live");
  });

  it("pings with exactly PING_FRAME_TEXT, measures the round trip, and keeps pinging every interval", async () => {
    const h = makeHarness();
    h.live.start();
    const socket = await h.nextSocket(); // a server that answers only what the test says
    socket.open();
    socket.receive({ type: "hello", protocol: PROTOCOL_VERSION, channel: "demo", epoch: h.hub.epoch, head: 0, recovered: false });
    socket.receive(h.hub.snapshot());
    expect(h.live.status.phase).toBe("live");
    renderFrame(h);
    expect(socket.sent).toEqual([PING_FRAME_TEXT]);
    h.clock.advance(42);
    socket.receive(PONG_FRAME_TEXT);
    expect(h.live.status.rttMs).toBe(42);
    h.clock.advance(5_000 - 42);
    expect(socket.sent).toEqual([PING_FRAME_TEXT, PING_FRAME_TEXT]);
    h.clock.advance(7);
    socket.receive(PONG_FRAME_TEXT);
    expect(h.live.status.rttMs).toBe(7);
    for (let i = 0; i < 12; i++) {
      h.clock.advance(5_000);
      socket.receive(PONG_FRAME_TEXT);
    }
    expect(socket.state).toBe("open");
    expect(socket.sent.filter((text) => text === PING_FRAME_TEXT)).toHaveLength(14);
  });

  it("sends the first ping only once the resume handshake is complete and rendered, so the first RTT is the network's", async () => {
    const h = makeHarness();
    h.hub.commit([agentSet("a")]);
    h.cache.save("demo", { epoch: h.hub.epoch, seq: 1, state: structuredClone(h.hub.state) });
    h.hub.commit([agentSet("b")]);
    h.hub.commit([agentSet("c")]);
    h.live.start();
    const socket = await h.nextSocket();
    socket.open();
    h.clock.advance(300); // a busy page load
    socket.receive({ type: "hello", protocol: PROTOCOL_VERSION, channel: "demo", epoch: h.hub.epoch, head: 3, recovered: true });
    h.clock.advance(200);
    socket.receive(h.hub.log[1]!);
    expect(socket.sent).toEqual([]);
    h.clock.advance(100);
    socket.receive(h.hub.log[2]!);
    expect(h.live.status.phase).toBe("live");
    // Not yet: a pong arriving while the page renders the replayed state would wait for that render.
    expect(socket.sent).toEqual([]);
    h.frames.flush();
    expect(socket.sent).toEqual([]);
    h.clock.advance(0); // the task after the frame
    expect(socket.sent).toEqual([PING_FRAME_TEXT]);
    h.clock.advance(3);
    socket.receive(PONG_FRAME_TEXT);
    expect(h.live.status.rttMs).toBe(3);
  });

  it("pings within a second of the handshake even when no frame is rendered (a hidden tab)", async () => {
    const h = makeHarness();
    h.live.start();
    const socket = await h.nextSocket();
    socket.open();
    socket.receive({ type: "hello", protocol: PROTOCOL_VERSION, channel: "demo", epoch: h.hub.epoch, head: 0, recovered: false });
    socket.receive(h.hub.snapshot());
    h.clock.advance(999);
    expect(socket.sent).toEqual([]);
    h.clock.advance(1);
    expect(socket.sent).toEqual([PING_FRAME_TEXT]);
    h.frames.flush();
    h.clock.advance(0);
    expect(socket.sent).toEqual([PING_FRAME_TEXT]); // started once
  });

  it("a connection that goes silent while catching up is dead after the pong timeout, without pings", async () => {
    const h = makeHarness();
    h.live.start();
    const socket = await h.nextSocket();
    socket.open();
    socket.receive({ type: "hello", protocol: PROTOCOL_VERSION, channel: "demo", epoch: h.hub.epoch, head: 5, recovered: false });
    expect(h.live.status.phase).toBe("catching-up");
    h.clock.advance(9_999);
    expect(socket.closedByClient).toBeNull();
    h.clock.advance(1);
    expect(socket.closedByClient).not.toBeNull();
    expect(socket.sent).toEqual([]);
    expect(h.live.status).toMatchObject({ phase: "reconnecting", attempt: 1 });
    expect(h.live.status.message).toMatch(/nothing heard for 10 s while catching up/);
  });

  it("missed pongs (a half-open socket, a laptop waking up) mean dead: close and reconnect", async () => {
    const h = makeHarness();
    const socket = await startLive(h);
    socket.onClientFrame = null; // the server goes silent after answering the first ping
    h.clock.advance(5_000); // ping #2
    h.clock.advance(9_999);
    expect(socket.closedByClient).toBeNull();
    h.clock.advance(1);
    expect(socket.closedByClient).not.toBeNull();
    expect(h.live.status).toMatchObject({ phase: "reconnecting", attempt: 1 });
    expect(h.live.status.message).toMatch(/connection lost \(nothing heard for 15 s after a ping/);
    h.clock.advance(h.live.status.nextRetryAtMs! - h.clock.now());
    h.hub.accept(await h.nextSocket());
    expect(h.live.status.phase).toBe("live");
  });

  it("frames arriving keep a busy connection alive even if a pong is late", async () => {
    const h = makeHarness();
    const socket = await startLive(h);
    socket.onClientFrame = null; // no pongs at all, only deltas
    for (let i = 0; i < 30; i++) {
      h.clock.advance(1_000);
      h.hub.commit([agentSet()]);
    }
    expect(socket.state).toBe("open");
    expect(h.live.status.phase).toBe("live");
  });

  it("gives up on an attempt that gets no hello in time, and counts it as a failure", async () => {
    const h = makeHarness();
    h.live.start();
    const socket = await h.nextSocket();
    // Open, answering pings, but never a hello (a proxy that swallows frames).
    socket.open();
    h.clock.advance(5_000);
    socket.receive(PONG_FRAME_TEXT);
    h.clock.advance(5_000);
    socket.receive(PONG_FRAME_TEXT);
    h.clock.advance(5_000);
    expect(socket.closedByClient).not.toBeNull();
    expect(socket.sent).toEqual([]); // no ping before the handshake
    expect(h.live.status).toMatchObject({ phase: "reconnecting", attempt: 1 });
    expect(h.live.status.message).toMatch(/no hello within 15 s/);
    await settle();
    expect(h.hub.healthChecks).toBe(1);
    expect(h.live.status.message).toMatch(/no hello within 15 s.*the hub answers over HTTP: 1 of 3 before polling/);
  });

  it("resets the backoff after a connection stayed up, not after a flapping one", async () => {
    const h = makeHarness();
    let socket = await startLive(h);
    socket.serverClose(1006);
    h.clock.advance(h.live.status.nextRetryAtMs! - h.clock.now());
    socket = await h.nextSocket();
    h.hub.accept(socket);
    h.clock.advance(1_000);
    socket.serverClose(1006);
    expect(h.live.status.attempt).toBe(2);
    h.clock.advance(h.live.status.nextRetryAtMs! - h.clock.now());
    socket = await h.nextSocket();
    h.hub.accept(socket);
    h.clock.advance(6_000);
    socket.serverClose(1006);
    expect(h.live.status.attempt).toBe(1);
  });

  it("stop() closes the socket, cancels retries and leaves the phase offline", async () => {
    const h = makeHarness();
    const socket = await startLive(h);
    h.live.stop();
    expect(socket.closedByClient).not.toBeNull();
    expect(h.live.status).toMatchObject({ phase: "offline", transport: null, message: "stopped" });
    await h.clock.run(60_000);
    expect(h.connector.sockets).toHaveLength(1);
  });

  it("retries at once when the browser comes back online", async () => {
    let online: (() => void) | null = null;
    const h = makeHarness({ page: { onHide: () => () => {}, onOnline: (cb) => ((online = cb), () => {}) } });
    const socket = await startLive(h);
    socket.serverClose(1006);
    h.clock.advance(0);
    expect(h.connector.sockets).toHaveLength(1);
    online!();
    h.hub.accept(await h.nextSocket());
    expect(h.live.status.phase).toBe("live");
  });

  it("ignores frames that are not valid server frames, and logs them", async () => {
    const h = makeHarness();
    const socket = await startLive(h);
    socket.receive('{"type":"delta","seq":"x"}');
    socket.receive("not json");
    expect(h.live.status.phase).toBe("live");
    expect(h.live.debug.log.filter((e) => e.text.startsWith("ignored an invalid frame"))).toHaveLength(2);
  });

  it("reconnects with a fresh ticket when the old one is close to expiry", async () => {
    const clock = new FakeClock();
    const issued: string[] = [];
    const ticketFetch: typeof fetch = async () => {
      issued.push(`t${issued.length + 1}`);
      const expiresAt = new Date(clock.now() + 600_000).toISOString();
      return Response.json({ ticket: issued.at(-1), expiresAt, channels: ["demo"] }, { headers: { date: new Date(clock.now()).toUTCString() } });
    };
    const connector = new FakeSocketConnector();
    const hub = new FakeHub("demo");
    const live = new LiveChannel({
      baseUrl: BASE_URL,
      channel: "demo",
      tickets: new TicketSource({ baseUrl: BASE_URL, token: "tok", fetch: ticketFetch, now: () => clock.now() }),
      connector,
      clock,
      scheduleFrame: new ManualFrames().schedule,
      random: () => 0.5,
      page: noPageEvents,
    });
    live.start();
    await clock.run(0);
    expect(connector.last.params?.ticket).toBe("t1");
    hub.accept(connector.last);
    // Ten minutes minus 30 s later (the hub answers every ping), the server restarts.
    clock.advance(570_000);
    expect(live.status.phase).toBe("live");
    connector.last.serverClose(1012);
    await clock.run(live.status.nextRetryAtMs! - clock.now());
    expect(connector.sockets).toHaveLength(2);
    expect(connector.last.params?.ticket).toBe("t2");
    expect(issued).toEqual(["t1", "t2"]);
  });
});
