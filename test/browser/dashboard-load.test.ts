/**
 * Issue 9, the dashboard under load: a channel with 2,000 tasks over 5 tags,
 * 50 agents and 10 health sources, then about 200 deltas/s for 5 s while a
 * Chromium performance trace records the renderer's main thread.
 *
 * Snapshot paint: the dashboard sets the `taskmaster-live:state-painted`
 * performance mark after the frame that first paints a channel state (an
 * effect after the DOM update queues a rAF, and a message posted from the
 * rAF lands after that frame's paint); its startTime counts from navigation
 * start. A fresh browser context has no cached state, so it is the snapshot.
 * Goals: the snapshot painted within 500 ms of its arrival (the
 * `taskmaster-live:state-received` mark: what the dashboard itself does with
 * it), no main-thread task over 50 ms; the test fails past twice those
 * (1,000 ms, 100 ms) and prints the numbers, with the time from navigation
 * start and where it went (assets, ticket, socket): those are the runtime's
 * and the network's, measured by `npm run bench`'s handshake figures.
 */
import type { Page } from "playwright-core";
import { expect, it } from "vitest";
import { Paths, type HubEventInput, type TaskStatus } from "../../protocol/index.ts";
import { ev, isoAt } from "../../dev/events.ts";
import { ChromiumTrace } from "./support/chromium-trace.ts";
import { useBrowserSuite } from "./support/chromium.ts";
import { liveState, openChannel, waitForPhase, waitForSeq } from "./support/dashboard-page.ts";

const suite = useBrowserSuite({ vars: { INGEST_EVENTS_PER_SECOND: "100000", INGEST_REQUESTS_PER_SECOND: "10000" } });

const TAGS = ["master", "api", "web", "infra", "docs"] as const;
const TASKS_PER_TAG = 400;
const AGENTS = 50;
const HEALTH_SOURCES = 10;
const HEALTH_HISTORY = 30;
const SEED_BATCH = 500;
const FEED_TICK_MS = 50;
const FEED_TICKS = 100;
const STATUS_CYCLE: readonly TaskStatus[] = ["pending", "in-progress", "review", "done", "blocked"];
const AGENT_STATUS_CYCLE = ["busy", "idle", "online", "error"] as const;
const PAINT_LIMIT_MS = 1_000;
const TASK_LIMIT_MS = 100;
const LONG_TASK_MS = 50;

const agentId = (n: number) => `agent-${String(n + 1).padStart(2, "0")}`;
const sourceId = (n: number) => `source-${n + 1}`;

function task(tag: string, id: number, status: TaskStatus): HubEventInput {
  return ev.taskUpsert(
    {
      id,
      title: `${tag} task ${id}: ${["wire", "test", "ship", "review", "measure"][id % 5]} the ${["parser", "cache", "queue", "router", "schema"][id % 7 % 5]}`,
      description: `Work item ${id} of ${tag}`,
      status,
      priority: (["high", "medium", "low"] as const)[id % 3],
      dependencies: id > 1 ? [id - 1] : [],
      ...(id % 10 === 0 ? { subtasks: [1, 2, 3].map((s) => ({ id: s, title: `Step ${s}`, status: s === 1 ? "done" : "pending" })) } : {}),
    },
    { tag },
  );
}

function seedEvents(): HubEventInput[] {
  const events: HubEventInput[] = [ev.meta({ name: "Load test project", currentTag: "master" })];
  for (const tag of TAGS) for (let id = 1; id <= TASKS_PER_TAG; id++) events.push(task(tag, id, STATUS_CYCLE[id % STATUS_CYCLE.length]!));
  for (let n = 0; n < AGENTS; n++) events.push(ev.agentStatus(agentId(n), AGENT_STATUS_CYCLE[n % 4]!, { name: `Agent ${n + 1}`, taskId: String(1 + n * 7) }));
  for (let n = 0; n < HEALTH_SOURCES; n++) {
    for (let i = HEALTH_HISTORY; i > 0; i--) events.push(ev.health(sourceId(n), { cpu: (n * 7 + i) % 100, queueDepth: i % 9 }, isoAt(-i * 5_000)));
  }
  return events;
}

/** One tick of the feed: status changes and progress across tags, agent statuses, one health sample (distinct entities, so conflation rarely merges). */
function feedTick(i: number): HubEventInput[] {
  const events: HubEventInput[] = [];
  for (let j = 0; j < 4; j++) {
    const k = i * 4 + j;
    events.push(task(TAGS[k % TAGS.length]!, 1 + ((k * 7) % TASKS_PER_TAG), STATUS_CYCLE[(i + j) % STATUS_CYCLE.length]!));
  }
  for (let j = 0; j < 3; j++) {
    const k = i * 3 + j;
    events.push(ev.taskProgress(1 + ((k * 13 + 5) % TASKS_PER_TAG), (i * 7 + j) % 100, { tag: TAGS[k % TAGS.length]! }));
  }
  for (let j = 0; j < 2; j++) {
    const k = i * 2 + j;
    events.push(ev.agentStatus(agentId(k % AGENTS), AGENT_STATUS_CYCLE[(i + j) % 4]!, { taskId: String(1 + (k % TASKS_PER_TAG)) }));
  }
  events.push(ev.health(sourceId(i % HEALTH_SOURCES), { cpu: (i * 3) % 100, queueDepth: i % 17 }));
  return events;
}

/** The last word on the first rows of the shown tag, so what the top of the list shows is known. */
function finalTick(): HubEventInput[] {
  return [task("master", 1, "done"), task("master", 2, "blocked"), task("master", 3, "review"), task("master", 4, "in-progress"), ev.taskProgress(4, 77, { tag: "master" })];
}

/**
 * The first paint's milestones, ms after navigation start: the page's DOMContentLoaded, the
 * ticket's answer, the first state reaching the page and its paint (the dashboard's marks).
 */
async function firstStateMs(page: Page): Promise<{ domReadyMs: number; ticketSentMs: number; ticketMs: number; receivedMs: number; paintedMs: number }> {
  await page.waitForFunction(() => performance.getEntriesByName("taskmaster-live:state-painted").length > 0, undefined, { timeout: 30_000 });
  return page.evaluate((ticketPath) => {
    const navigation = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming | undefined;
    const ticket = performance.getEntriesByType("resource").find((entry) => new URL(entry.name).pathname === ticketPath) as PerformanceResourceTiming | undefined;
    return {
      domReadyMs: navigation?.domContentLoadedEventEnd ?? Number.NaN,
      ticketSentMs: ticket?.startTime ?? Number.NaN,
      ticketMs: ticket?.responseEnd ?? Number.NaN,
      receivedMs: performance.getEntriesByName("taskmaster-live:state-received")[0]?.startTime ?? Number.NaN,
      paintedMs: performance.getEntriesByName("taskmaster-live:state-painted")[0]?.startTime ?? Number.NaN,
    };
  }, Paths.ticket);
}

it("paints a 2,000-task snapshot and keeps up with 200 deltas/s without long tasks", { timeout: 240_000 }, async () => {
  const channel = "dashboard-load";
  const seed = seedEvents();
  let head = 0;
  for (let i = 0; i < seed.length; i += SEED_BATCH) head = (await suite.hub.send(channel, seed.slice(i, i + SEED_BATCH))).head;

  const page = await openChannel(await suite.newContext(), suite.server.url, channel);
  const { domReadyMs, ticketSentMs, ticketMs, receivedMs, paintedMs: paintMs } = await firstStateMs(page);
  expect(await page.locator('[data-testid="task-row"]').count()).toBeGreaterThan(0);
  await waitForPhase(page, "live");
  await waitForSeq(page, head);

  // DASHBOARD_TRACE_JS=1 also samples JavaScript, to name the functions inside the long tasks.
  const trace = await ChromiumTrace.start(page, { sampleJs: process.env.DASHBOARD_TRACE_JS === "1" });
  const startHead = head;
  const feedStartMs = Date.now();
  // Posts go out on schedule without waiting for the previous answer (a slow answer must not slow the feed); the final one after all.
  const posts: Promise<unknown>[] = [];
  for (let i = 0; i < FEED_TICKS; i++) {
    const wait = feedStartMs + i * FEED_TICK_MS - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    posts.push(suite.hub.send(channel, feedTick(i)));
  }
  await Promise.all(posts);
  head = (await suite.hub.send(channel, finalTick())).head;
  const feedSeconds = (Date.now() - feedStartMs) / 1000;
  await waitForSeq(page, head, 60_000);
  const profile = await trace.stop(LONG_TASK_MS);

  const deltas = head - startHead;
  const longTasks = profile.taskDurationsMs.filter((ms) => ms > LONG_TASK_MS).length;
  console.log(
    `dashboard under load (2,000 tasks / 5 tags, ${AGENTS} agents, ${HEALTH_SOURCES} health sources): snapshot painted ${paintMs.toFixed(0)} ms after navigation start ` +
      `(DOMContentLoaded ${domReadyMs.toFixed(0)} ms, ticket asked ${ticketSentMs.toFixed(0)} ms and answered ${ticketMs.toFixed(0)} ms, snapshot received ${receivedMs.toFixed(0)} ms, rendered and painted in ${(paintMs - receivedMs).toFixed(0)} ms); ` +
      `${deltas} deltas in ${feedSeconds.toFixed(1)} s (${(deltas / feedSeconds).toFixed(0)}/s); trace ${profile.traceSeconds.toFixed(1)} s: ` +
      `${profile.taskDurationsMs.length} main-thread tasks (busy ${profile.busyPercent.toFixed(0)}%), longest ${profile.longestTaskMs.toFixed(1)} ms, ${longTasks} over ${LONG_TASK_MS} ms, ` +
      `frames/s ${profile.framesPerSecond === null ? "n/a" : profile.framesPerSecond.toFixed(1)}`,
  );

  for (const task of profile.longTasks) {
    console.log(
      `long task at ${task.startMs.toFixed(0)} ms, ${task.durationMs.toFixed(1)} ms (thread CPU ${task.threadMs === null ? "n/a" : `${task.threadMs.toFixed(1)} ms`}): events ${task.events.map(([name, ms]) => `${name} ${ms}`).join("; ")}` +
        (task.functions.length > 0 ? ` | JS self ${task.functions.map(([name, ms]) => `${name} ${ms}`).join("; ")}` : ""),
    );
  }
  if (profile.topFunctions.length > 0) console.log(`JS self time over the trace: ${profile.topFunctions.map(([name, ms]) => `${name} ${ms}`).join("; ")}`);

  const snapshot = await suite.hub.snapshot(channel);
  expect(snapshot.seq).toBe(head);
  const { state, status } = await liveState(page);
  expect(status.seq).toBe(head);
  expect(state).toEqual(snapshot.state);

  const row = (id: number) => page.locator(`[data-testid="task-row"][data-tag="master"][data-task-id="${id}"]`);
  expect(await row(1).getAttribute("data-status")).toBe("done");
  expect(await row(2).getAttribute("data-status")).toBe("blocked");
  expect(await row(3).getAttribute("data-status")).toBe("review");
  expect(await row(4).locator('[data-testid="task-percent"]').textContent()).toBe("77%");
  for (const tag of TAGS) {
    const tagRow = page.locator(`[data-testid="tag-row"][data-tag="${tag}"]`);
    expect(await tagRow.getAttribute("data-total")).toBe(String(TASKS_PER_TAG));
    const tasks = Object.values(snapshot.state.tasks[tag] ?? {});
    for (const status of STATUS_CYCLE) {
      const count = tasks.filter((t) => t.status === status).length;
      const pill = tagRow.locator(`[data-status="${status}"]`);
      if (count === 0) expect(await pill.count()).toBe(0);
      else expect(await pill.getAttribute("data-count")).toBe(String(count));
    }
  }
  for (let n = 0; n < AGENTS; n += 7) {
    expect(await page.locator(`[data-testid="agent-row"][data-agent-id="${agentId(n)}"]`).getAttribute("data-status")).toBe(snapshot.state.agents[agentId(n)]?.status);
  }

  expect(deltas).toBeGreaterThanOrEqual(FEED_TICKS * 8);
  expect(paintMs - receivedMs).toBeLessThanOrEqual(PAINT_LIMIT_MS);
  expect(profile.longestTaskMs).toBeLessThanOrEqual(TASK_LIMIT_MS);
});

it("a long task list is windowed, yet every row is reachable by keyboard and by search", { timeout: 120_000 }, async () => {
  const channel = "long-list-keyboard";
  const rows = 300;
  const { head } = await suite.hub.send(channel, [ev.meta({ currentTag: "master" }), ...Array.from({ length: rows }, (_, i) => task("master", i + 1, "pending"))]);
  const page = await openChannel(await suite.newContext(), suite.server.url, channel);
  await waitForPhase(page, "live");
  await waitForSeq(page, head);
  expect(await page.locator('[data-testid="task-row"]').count()).toBeLessThan(60);
  expect(await page.locator('[data-testid="task-row"]').first().getAttribute("aria-setsize")).toBe(String(rows));

  // Tab from the first row's link down the list: the rows further down are rendered as focus gets there.
  const target = "master/80";
  await page.locator('[data-task-link="master/1"]').focus();
  for (let i = 0; i < 400; i++) {
    if ((await page.evaluate(() => document.activeElement?.getAttribute("data-task-link"))) === target) break;
    await page.keyboard.press("Tab");
  }
  expect(await page.evaluate(() => document.activeElement?.getAttribute("data-task-link"))).toBe(target);
  expect(await page.locator('[data-task-link="master/80"]').isVisible()).toBe(true);
  await page.keyboard.press("Shift+Tab");
  expect(await page.evaluate(() => document.activeElement?.closest("[data-testid=task-row]")?.getAttribute("data-task-id"))).toBe("79");

  // Search finds a row that was never rendered.
  await page.locator('[data-testid="task-search"]').fill("master task 297:");
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="task-row"]').length === 1);
  expect(await page.locator('[data-testid="task-row"]').getAttribute("data-task-id")).toBe("297");
});
