/**
 * Acceptance 1 (c-f): a runtime restart mid-stream, a blocked WebSocket
 * (polling fallback and back), a reload painted from the local cache, and a
 * bad token that stops retrying.
 */
import type { Page } from "playwright-core";
import { expect, it } from "vitest";
import { ev } from "../../dev/events.ts";
import { useBrowserSuite } from "./support/chromium.ts";
import { expectedView, liveState, openChannel, phaseOf, renderedView, waitForPhase, waitForSeq } from "./support/dashboard-page.ts";
import { demoEvents } from "./support/demo-data.ts";

const STATE_CACHE_KEY_PREFIX = "taskmaster-live.state.v1.";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const suite = useBrowserSuite();

/** Waits until the page shows exactly the server's snapshot (retrying if the server moves on meanwhile). */
async function expectPageEqualsSnapshot(page: Page, channel: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const snapshot = await suite.hub.snapshot(channel);
    await waitForSeq(page, snapshot.seq, Math.max(1_000, deadline - Date.now()));
    const { state, status } = await liveState(page);
    if (status.seq === snapshot.seq || Date.now() > deadline) {
      expect(status.epoch).toBe(snapshot.epoch);
      expect(status.seq).toBe(snapshot.seq);
      expect(state).toEqual(snapshot.state);
      expect(await renderedView(page)).toEqual(expectedView(snapshot.state));
      return;
    }
  }
}

it("recovers after the runtime is stopped and restarted mid-stream, showing exactly the server's snapshot", async () => {
  const channel = "restart-mid-stream";
  await suite.hub.send(channel, demoEvents());
  const page = await openChannel(await suite.newContext(), suite.server.url, channel);
  await waitForPhase(page, "live");

  let streaming = true;
  let accepted = 0;
  const stream = (async () => {
    for (let i = 0; streaming; i++) {
      try {
        await suite.hub.send(channel, [ev.taskProgress(3, i % 101), ev.health("api-eu", { cpu: (i * 7) % 100, queueDepth: i % 13 })]);
        accepted++;
      } catch {
        // The runtime is down: the stream goes on, as a real producer's retries would.
      }
      await sleep(50);
    }
  })();

  await sleep(1_500);
  // Every phase/transport the connection bar shows from here on.
  await page.evaluate(() => {
    const seen: string[] = [];
    (globalThis as unknown as { __phasesSeen: string[] }).__phasesSeen = seen;
    const record = () => {
      const pill = document.querySelector<HTMLElement>('[data-testid="connection-phase"]');
      const entry = `${pill?.dataset.phase}/${pill?.dataset.transport}`;
      if (seen.at(-1) !== entry) seen.push(entry);
    };
    new MutationObserver(record).observe(document.body, { subtree: true, attributes: true, attributeFilter: ["data-phase", "data-transport"] });
  });
  const stoppedAt = Date.now();
  await suite.server.stop();
  await waitForPhase(page, ["reconnecting", "offline", "polling", "connecting"], 20_000);
  await sleep(1_000);
  await suite.server.restart();
  await sleep(1_500);
  streaming = false;
  await stream;
  expect(accepted).toBeGreaterThan(10);

  await expectPageEqualsSnapshot(page, channel);
  // A hub that is down is an outage, not a blocked WebSocket: backoff on the WebSocket, never polling.
  await page.waitForSelector('[data-testid="connection-phase"][data-phase="live"][data-transport="websocket"]', { timeout: 30_000 });
  const phasesSeen = await page.evaluate(() => (globalThis as unknown as { __phasesSeen: string[] }).__phasesSeen);
  console.log(`restart: page live and equal to the snapshot ${Date.now() - stoppedAt} ms after the runtime stopped (${accepted} webhooks accepted); phases: ${phasesSeen.join(" → ")}`);
  expect(phasesSeen).toContain("reconnecting/");
  expect(phasesSeen.filter((entry) => entry.includes("polling"))).toEqual([]);
});

it("falls back to polling when the WebSocket is blocked, keeps updating, and returns to the WebSocket", async () => {
  const channel = "blocked-socket";
  await suite.hub.send(channel, demoEvents());
  const context = await suite.newContext();
  let blocked = true;
  let refused = 0;
  await context.routeWebSocket(/\/ws\//, (ws) => {
    if (!blocked) {
      ws.connectToServer();
      return;
    }
    refused++;
    void ws.close({ code: 1011, reason: "blocked by the test" });
  });
  const page = await openChannel(context, suite.server.url, channel);
  await page.waitForSelector('[data-testid="connection-phase"][data-transport="polling"]', { timeout: 45_000 });
  expect(refused).toBeGreaterThan(0);
  expect(await page.locator('[data-testid="connection-phase"]').textContent()).toMatch(/Polling|Live/);

  const head = (await suite.hub.send(channel, [ev.agentStatus("reviewer", "error", { detail: "polled" })])).head;
  await waitForSeq(page, head, 40_000);
  expect(await page.locator('[data-testid="agent-row"][data-agent-id="reviewer"]').getAttribute("data-status")).toBe("error");
  expect(await page.locator('[data-testid="connection-phase"]').getAttribute("data-transport")).toBe("polling");

  const unblockedAt = Date.now();
  blocked = false;
  await page.waitForSelector('[data-testid="connection-phase"][data-phase="live"][data-transport="websocket"]', { timeout: 60_000 });
  console.log(`fallback: back on the WebSocket ${Date.now() - unblockedAt} ms after it was unblocked`);

  const next = (await suite.hub.send(channel, [ev.taskProgress(5, 55)])).head;
  await waitForSeq(page, next, 20_000);
  await expectPageEqualsSnapshot(page, channel);
});

it("paints the cached state on reload before the socket opens", async () => {
  const channel = "cached-reload";
  await suite.hub.send(channel, demoEvents());
  // Progress, heartbeats and health samples may be held by conflation (COALESCE_MS): a snapshot sends them first, so its seq is the final head.
  const head = (await suite.hub.snapshot(channel)).seq;
  const context = await suite.newContext();
  const page = await openChannel(context, suite.server.url, channel);
  await waitForPhase(page, "live");
  await waitForSeq(page, head);
  // The cache is written at most once a second: wait until it holds the head.
  await page.waitForFunction(
    ([key, seq]) => (JSON.parse(localStorage.getItem(key as string) ?? "null") as { seq?: number } | null)?.seq === seq,
    [STATE_CACHE_KEY_PREFIX + channel, head] as const,
    { timeout: 10_000 },
  );

  // Cut the page off from every fresh source of state: the socket never opens and the REST API fails.
  let offline = true;
  const sockets: string[] = [];
  await context.routeWebSocket(/\/ws\//, (ws) => {
    if (!offline) {
      ws.connectToServer();
      return;
    }
    sockets.push(ws.url());
    void ws.close({ code: 1011, reason: "offline for the test" });
  });
  await context.route("**/api/**", (route) => (offline ? route.abort("internetdisconnected") : route.continue()));

  const reloadedAt = Date.now();
  await page.reload();
  await page.waitForSelector('[data-testid="task-row"]', { timeout: 10_000 });
  const paintMs = Date.now() - reloadedAt;
  expect(await phaseOf(page)).not.toBe("live");
  const snapshot = await suite.hub.snapshot(channel);
  expect(await renderedView(page)).toEqual(expectedView(snapshot.state));
  expect(await page.locator('[data-testid="channel-view"]').getAttribute("data-seq")).toBe(String(head));
  console.log(`reload: cached state painted ${paintMs} ms after reload, with no socket open (${sockets.length} attempts refused)`);

  offline = false;
  const after = (await suite.hub.send(channel, [ev.agentStatus("docs-bot", "busy", { taskId: "9" })])).head;
  await waitForSeq(page, after, 60_000);
  await expectPageEqualsSnapshot(page, channel);
});

it("shows access denied for a bad token and stops retrying", async () => {
  const channel = "bad-token";
  await suite.hub.send(channel, demoEvents());
  const context = await suite.newContext();
  let ticketRequests = 0;
  let sockets = 0;
  context.on("request", (request) => {
    if (request.url().includes("/api/auth/ticket")) ticketRequests++;
  });
  await context.routeWebSocket(/\/ws\//, (ws) => {
    sockets++;
    ws.connectToServer();
  });
  const page = await openChannel(context, suite.server.url, channel, "not-the-token");
  await waitForPhase(page, "denied", 20_000);
  await page.getByText("Access denied", { exact: false }).first().waitFor({ timeout: 5_000 });
  expect(await page.locator('[data-testid="access-denied"]').isVisible()).toBe(true);

  const ticketsAtDenial = ticketRequests;
  await sleep(5_000);
  console.log(`bad token: ${ticketRequests} ticket request(s) and ${sockets} socket(s) in total`);
  expect(ticketsAtDenial).toBeGreaterThanOrEqual(1);
  expect(ticketRequests).toBe(ticketsAtDenial);
  expect(sockets).toBe(0);
  expect(await phaseOf(page)).toBe("denied");
  expect(await page.locator('[data-testid="task-row"]').count()).toBe(0);
});
