import { describe, expect, it } from "vitest";
import { MAX_DELTAS_PER_RESPONSE } from "../../../protocol/index.ts";
import { settle } from "../../fakes/dashboard/fake-clock.ts";
import { agentPatch, agentSet, makeHarness, type Harness } from "./harness.ts";

/** Starts with every WebSocket attempt failing (the hub answering HTTP) until the LiveChannel falls back to polling. */
async function startBlocked(h: Harness): Promise<void> {
  h.live.start();
  for (let i = 0; i < 3; i++) {
    (await h.nextSocket()).fail();
    await settle(); // the GET /api/health that tells a blocked WebSocket from a hub that is down
    if (h.live.status.transport === null) await h.clock.run(h.live.status.nextRetryAtMs! - h.clock.now());
  }
  expect(h.hub.healthChecks).toBe(3);
  // The first polls have run already (a 403 or 503 may have changed the phase since).
  expect(h.live.debug.log.map((e) => e.text)).toContain("the WebSocket failed 3 times in a row: polling instead");
  expect(h.hub.polls.length).toBeGreaterThan(0);
  await h.clock.run(0);
}

const seqsOf = (h: Harness) => h.live.activity.map((e) => e.seq);

describe("LiveChannel polling fallback", () => {
  it("switches to long-polling after 3 WebSocket attempts that never open, and applies what the polls bring", async () => {
    const h = makeHarness();
    h.hub.commit([agentSet("a")]);
    await startBlocked(h);
    expect(h.connector.sockets).toHaveLength(3);
    expect(h.live.status.message).toMatch(/failed 3 times in a row: polling/);
    const [first, second] = h.hub.polls;
    expect(first!.authorization).toBe("Bearer ticket-1");
    expect(first!.url.pathname).toBe("/api/channels/demo/deltas");
    expect(Object.fromEntries(first!.url.searchParams)).toEqual({ wait: "0" });
    expect(Object.fromEntries(second!.url.searchParams)).toEqual({ since: "1", epoch: h.hub.epoch, wait: "20" });
    expect(h.live.status).toMatchObject({ phase: "polling", seq: 1 });
    expect(h.hub.waitingPolls).toBe(1);

    h.hub.commit([agentSet("b")]);
    h.hub.commit([agentPatch("a", "busy")]);
    await settle();
    expect(h.live.status.seq).toBe(3);
    expect(h.live.state).toEqual(h.hub.state);
    expect(h.hub.waitingPolls).toBe(1);
  });

  it("asks again at once while a page was full, then long-polls", async () => {
    const h = makeHarness();
    h.hub.commit([agentSet("a")]);
    h.cache.save("demo", { epoch: h.hub.epoch, seq: 1, state: structuredClone(h.hub.state) });
    for (let i = 0; i < MAX_DELTAS_PER_RESPONSE + 500; i++) h.hub.commit([agentSet()]);
    await startBlocked(h);
    const params = h.hub.polls.map((p) => [p.url.searchParams.get("since"), p.url.searchParams.get("wait")]);
    expect(params).toEqual([
      ["1", "0"],
      [String(1 + MAX_DELTAS_PER_RESPONSE), "0"],
      [String(h.hub.head), "20"],
    ]);
    expect(h.live.status.seq).toBe(h.hub.head);
    expect(h.live.state).toEqual(h.hub.state);
  });

  it("probes the WebSocket every 15-30 s and switches back without losing or repeating a delta", async () => {
    const h = makeHarness({ random: () => 0.5 });
    h.hub.commit([agentSet("a")]);
    await startBlocked(h);
    const probeIn = h.live.status.nextRetryAtMs! - h.clock.now();
    expect(probeIn).toBeGreaterThanOrEqual(15_000);
    expect(probeIn).toBeLessThanOrEqual(30_000);

    // First probe: still blocked.
    await h.clock.run(probeIn);
    (await h.nextSocket()).fail();
    expect(h.live.status).toMatchObject({ phase: "polling", transport: "polling" });
    expect(h.live.status.nextRetryAtMs! - h.clock.now()).toBeGreaterThanOrEqual(15_000);
    h.hub.commit([agentSet("b")]);
    await settle();

    // Second probe gets through. Deltas are committed while it connects: polling applies them first,
    // then the socket replays them again (since = the seq applied when its query resolved).
    await h.clock.run(h.live.status.nextRetryAtMs! - h.clock.now());
    const probe = await h.nextSocket();
    expect(probe.params?.since).toBe("2");
    h.hub.commit([agentSet("c")]);
    h.hub.commit([agentPatch("b", "busy")]);
    await settle();
    expect(h.live.status).toMatchObject({ transport: "polling", seq: 4 });
    const pollsBefore = h.hub.polls.length;
    h.hub.accept(probe);
    expect(h.live.status).toMatchObject({ phase: "live", transport: "websocket", seq: 4 });
    await settle();
    expect(h.hub.waitingPolls).toBe(0);

    h.hub.commit([agentSet("d")]);
    await h.clock.run(60_000);
    expect(h.hub.polls.length).toBe(pollsBefore);
    expect(h.live.state).toEqual(h.hub.state);
    // Seq 1 came with the first poll's snapshot; every later delta was applied exactly once.
    expect(seqsOf(h)).toEqual([5, 4, 3, 2]);
    expect(h.live.debug.replays.gaps).toBe(0);
  });

  it("takes a snapshot from the polling endpoint when it has no cursor", async () => {
    const h = makeHarness();
    for (let i = 0; i < 4; i++) h.hub.commit([agentSet()]);
    await startBlocked(h);
    expect(h.live.state).toEqual(h.hub.state);
    expect(h.live.debug.replays.snapshots).toBe(1);
    expect(h.live.status.behind).toBe(0);
  });

  it("a 403 from the polling endpoint means denied: polling and probing stop", async () => {
    const h = makeHarness();
    h.hub.pollStatus = 403;
    await startBlocked(h);
    expect(h.live.status).toMatchObject({ phase: "denied", transport: null, nextRetryAtMs: null });
    expect(h.live.status.message).toMatch(/^access denied: HTTP 403: the ticket does not grant/);
    const polls = h.hub.polls.length;
    await h.clock.run(120_000);
    expect(h.hub.polls.length).toBe(polls);
    expect(h.connector.sockets).toHaveLength(3);
  });

  it("keeps polling through server errors, with backoff, and shows them as reconnecting over polling", async () => {
    const h = makeHarness({ random: () => 0.5 });
    h.hub.pollStatus = 503;
    await startBlocked(h);
    expect(h.live.status).toMatchObject({ phase: "reconnecting", transport: "polling", attempt: 1 });
    expect(h.live.status.message).toMatch(/^polling failed: HTTP 503/);
    expect(h.live.status.nextRetryAtMs! - h.clock.now()).toBe(250);
    const polls = h.hub.polls.length;
    h.hub.pollStatus = null;
    h.hub.commit([agentSet("a")]);
    await h.clock.run(1_000);
    expect(h.hub.polls.length).toBeGreaterThan(polls);
    expect(h.live.state).toEqual(h.hub.state);
    expect(h.live.status).toMatchObject({ phase: "polling", transport: "polling", attempt: 0 });
    expect(h.live.status.message).toMatch(/failed 3 times in a row: polling/);
  });
});
