/**
 * A hub that is down is not a blocked WebSocket: only attempts that fail while
 * the hub answers over HTTP lead to polling; an outage is plain backoff with
 * "hub unreachable". While polling, failed polls show, and the first poll
 * that works again probes the WebSocket at once.
 */
import { describe, expect, it } from "vitest";
import { CloseCode, HubError } from "../../../protocol/index.ts";
import { TicketDeniedError, checkHubReachable, classifyAttemptEnd, type AttemptEnd } from "../../../dashboard/src/lib/live/index.ts";
import { FakeClock, settle } from "../../fakes/dashboard/fake-clock.ts";
import { agentSet, makeHarness, startLive, type Harness } from "./harness.ts";

/** Fails the newest attempt's socket, lets the reachability check answer, and returns the wait before the next attempt (null if none is scheduled). */
async function failAttempt(h: Harness): Promise<number | null> {
  (await h.nextSocket()).fail();
  await settle();
  const at = h.live.status.nextRetryAtMs;
  return h.live.status.phase === "reconnecting" && at !== null ? at - h.clock.now() : null;
}

/** Falls back to polling the way startBlocked does in live-channel-fallback.test.ts. */
async function startPolling(h: Harness): Promise<void> {
  h.live.start();
  for (let i = 0; i < 3; i++) {
    const wait = await failAttempt(h);
    if (wait !== null) await h.clock.run(wait);
  }
  await h.clock.run(0);
  expect(h.live.status).toMatchObject({ phase: "polling", transport: "polling" });
}

describe("LiveChannel during a hub outage", () => {
  it("a live page that loses the hub keeps reconnecting with backoff, never polls, and goes live on the WebSocket when it is back", async () => {
    const h = makeHarness({ random: () => 0.5 });
    h.hub.commit([agentSet("a")]);
    const socket = await startLive(h);
    h.hub.goDown();
    socket.serverClose(1006, "");
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 6; attempt++) {
      const wait = h.live.status.nextRetryAtMs! - h.clock.now();
      expect(h.live.status).toMatchObject({ phase: "reconnecting", transport: null, attempt });
      waits.push(wait);
      await h.clock.run(wait);
      // The ticket comes from the cache, so only GET /api/health can tell the hub is down.
      expect(await failAttempt(h)).not.toBeNull();
      expect(h.live.status.message).toMatch(/^hub unreachable: GET \/api\/health failed \(fetch failed\)$/);
    }
    console.log("outage: reconnect waits (ms):", waits.join(", "));
    expect(waits).toEqual([250, 500, 1000, 2000, 4000, 8000]);
    expect(h.hub.polls).toHaveLength(0);
    expect(h.hub.healthChecks).toBe(6);

    h.hub.reachable = true;
    h.hub.commit([agentSet("b")]);
    await h.clock.run(h.live.status.nextRetryAtMs! - h.clock.now());
    const back = await h.nextSocket();
    expect(back.params?.since).toBe("1");
    h.hub.accept(back);
    expect(h.live.status).toMatchObject({ phase: "live", transport: "websocket", seq: 2, message: null });
    expect(h.hub.polls).toHaveLength(0);
    expect(h.live.state).toEqual(h.hub.state);
  });

  it("a ticket request that gets no answer is an outage at once: no health check, not counted", async () => {
    const h = makeHarness();
    h.tickets.mode = "fail";
    h.live.start();
    for (let attempt = 1; attempt <= 5; attempt++) {
      await h.clock.run(0);
      expect(h.live.status).toMatchObject({ phase: "reconnecting", transport: null, attempt, message: "hub unreachable: network down" });
      await h.clock.run(h.live.status.nextRetryAtMs! - h.clock.now());
    }
    expect(h.hub.healthChecks).toBe(0);
    expect(h.hub.polls).toHaveLength(0);
  });

  it("counts only the attempts that fail while the hub answers HTTP; an outage in between neither counts nor resets", async () => {
    const h = makeHarness();
    h.live.start();
    await h.clock.run((await failAttempt(h))!); // blocked 1
    await h.clock.run((await failAttempt(h))!); // blocked 2
    h.hub.reachable = false;
    const outageWait = await failAttempt(h); // outage
    expect(h.live.status.message).toMatch(/^hub unreachable:/);
    h.hub.reachable = true;
    await h.clock.run(outageWait!);
    expect(await failAttempt(h)).toBeNull(); // blocked 3 → polling
    expect(h.live.status).toMatchObject({ phase: "polling", transport: "polling" });
    expect(h.live.status.message).toMatch(/failed 3 times in a row: polling/);
    expect(h.hub.healthChecks).toBe(4);
  });

  it("stop() during the reachability check leaves nothing running", async () => {
    const h = makeHarness();
    h.live.start();
    (await h.nextSocket()).fail();
    h.live.stop();
    await h.clock.run(120_000);
    expect(h.live.status).toMatchObject({ phase: "offline", message: "stopped" });
    expect(h.connector.sockets).toHaveLength(1);
    expect(h.hub.polls).toHaveLength(0);
  });
});

describe("LiveChannel polling through an outage", () => {
  it("shows failed polls as reconnecting over polling, and probes the WebSocket as soon as a poll works again", async () => {
    const h = makeHarness({ random: () => 0.5 });
    h.hub.commit([agentSet("a")]);
    await startPolling(h);
    const probeAt = h.live.status.nextRetryAtMs!;
    expect(h.hub.waitingPolls).toBe(1);

    h.hub.goDown();
    await settle();
    expect(h.live.status).toMatchObject({ phase: "reconnecting", transport: "polling", attempt: 1, nextRetryAtMs: h.clock.now() + 250 });
    expect(h.live.status.message).toBe("hub unreachable: fetch failed");
    await h.clock.run(250);
    expect(h.live.status).toMatchObject({ phase: "reconnecting", transport: "polling", attempt: 2, nextRetryAtMs: h.clock.now() + 500 });

    h.hub.reachable = true;
    h.hub.commit([agentSet("b")]);
    const socketsBefore = h.connector.sockets.length;
    await h.clock.run(500);
    expect(h.clock.now()).toBeLessThan(probeAt);
    expect(h.live.status).toMatchObject({ phase: "polling", transport: "polling", seq: 2 });
    // The probe starts with the poll that worked, not 15-30 s later.
    expect(h.connector.sockets).toHaveLength(socketsBefore + 1);
    const probe = await h.nextSocket();
    expect(probe.params?.since).toBe("2");
    h.hub.accept(probe);
    expect(h.live.status).toMatchObject({ phase: "live", transport: "websocket", seq: 2, message: null });
    await settle();
    expect(h.hub.waitingPolls).toBe(0);
    expect(h.live.state).toEqual(h.hub.state);
  });

  it("a probe that still fails after the outage falls back to probing every 15-30 s, while polling goes on", async () => {
    const h = makeHarness({ random: () => 0.5 });
    await startPolling(h);
    h.hub.goDown();
    await settle();
    h.hub.reachable = true;
    await h.clock.run(250);
    (await h.nextSocket()).fail();
    expect(h.live.status).toMatchObject({ phase: "polling", transport: "polling" });
    expect(h.live.status.nextRetryAtMs! - h.clock.now()).toBe(22_500);
    h.hub.commit([agentSet("c")]);
    await settle();
    expect(h.live.state).toEqual(h.hub.state);
  });
});

describe("checkHubReachable", () => {
  const BASE = "http://hub.test/";

  it("is reachable on a 2xx from GET /api/health, asked without cache", async () => {
    const requests: { url: string; cache: RequestCache | undefined }[] = [];
    const fetch: typeof globalThis.fetch = async (input, init) => {
      requests.push({ url: String(input), cache: init?.cache });
      return Response.json({ ok: true });
    };
    expect(await checkHubReachable({ baseUrl: BASE, fetch, clock: new FakeClock(), timeoutMs: 5_000 })).toEqual({ reachable: true });
    expect(requests).toEqual([{ url: "http://hub.test/api/health", cache: "no-store" }]);
  });

  it.each([
    ["a refused connection", async () => Promise.reject(new TypeError("Failed to fetch")), "GET /api/health failed (Failed to fetch)"],
    ["a proxy's 502", async () => new Response("bad gateway", { status: 502 }), "GET /api/health answered HTTP 502"],
  ] as const)("is unreachable on %s", async (_, answer, why) => {
    const result = await checkHubReachable({ baseUrl: BASE, fetch: answer as typeof fetch, clock: new FakeClock(), timeoutMs: 5_000 });
    expect(result).toEqual({ reachable: false, why });
  });

  it("is unreachable when no answer comes within the timeout", async () => {
    const clock = new FakeClock();
    const hanging: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal!.reason as Error)));
    const pending = checkHubReachable({ baseUrl: BASE, fetch: hanging, clock, timeoutMs: 5_000 });
    await clock.run(4_999);
    let settled = false;
    void pending.then(() => (settled = true));
    await settle();
    expect(settled).toBe(false);
    await clock.run(1);
    expect(await pending).toEqual({ reachable: false, why: "GET /api/health failed (no answer within 5 s)" });
    expect(clock.pendingDelays).toEqual([]);
  });
});

describe("classifyAttemptEnd", () => {
  const end = (over: Partial<AttemptEnd>): AttemptEnd => ({ code: 1006, reason: "", hadHello: false, queryError: null, serverError: null, ...over });
  const cases: [string, Partial<AttemptEnd>, ReturnType<typeof classifyAttemptEnd>][] = [
    ["a refused token", { queryError: new TicketDeniedError("the dashboard token was refused (HTTP 401)") }, { kind: "stop", phase: "denied", message: "access denied: the dashboard token was refused (HTTP 401)" }],
    ["close 4003", { code: CloseCode.FORBIDDEN, hadHello: true, serverError: "no such channel in the ticket" }, { kind: "stop", phase: "denied", message: "access denied: no such channel in the ticket" }],
    ["a ticket request without an answer", { queryError: new TypeError("Failed to fetch") }, { kind: "retry", message: "hub unreachable: Failed to fetch" }],
    ["a ticket request answered 503", { queryError: new HubError(503, null, "ticket request failed: HTTP 503") }, { kind: "retry", message: "could not get a ticket: ticket request failed: HTTP 503" }],
    ["a lost connection after hello", { hadHello: true, reason: "gone" }, { kind: "retry", message: "connection lost (gone)" }],
    ["a restart after hello", { code: CloseCode.RESTARTING, hadHello: true }, { kind: "retry", message: "the server is restarting" }],
    ["no hello, a ticket in hand", { reason: "connection failed" }, { kind: "check-reachability", message: "connection lost (connection failed)" }],
    ["no hello, closed 1011 by a proxy", { code: 1011, reason: "blocked" }, { kind: "check-reachability", message: "connection closed (1011 blocked)" }],
  ];
  it.each(cases)("%s", (_, over, outcome) => {
    expect(classifyAttemptEnd(end(over))).toEqual(outcome);
  });
});
