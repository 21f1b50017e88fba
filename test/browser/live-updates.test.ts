/**
 * Acceptance 1 (a, b): webhooks show up in open pages without a reload, and
 * every page sees the same thing. Prints the webhook→DOM time.
 */
import { expect, it } from "vitest";
import { ev } from "../../dev/events.ts";
import { useBrowserSuite } from "./support/chromium.ts";
import { liveState, openChannel, renderedView, waitForPhase, waitForSeq, whenSelectorAppears } from "./support/dashboard-page.ts";
import { demoEvents } from "./support/demo-data.ts";

const suite = useBrowserSuite();

it("shows an agent status change and a task progress update without a reload", async () => {
  const channel = "live-updates";
  const seeded = await suite.hub.send(channel, demoEvents());
  const page = await openChannel(await suite.newContext(), suite.server.url, channel);
  await waitForPhase(page, "live");
  await waitForSeq(page, seeded.head);
  const navigations: string[] = [];
  page.on("framenavigated", (frame) => {
    if (frame === page.mainFrame()) navigations.push(frame.url());
  });
  expect(await page.locator('[data-testid="agent-row"][data-agent-id="reviewer"]').getAttribute("data-status")).toBe("idle");

  const agentShown = whenSelectorAppears(page, '[data-testid="agent-row"][data-agent-id="reviewer"][data-status="busy"]');
  const agentPostedAt = Date.now();
  await suite.hub.send(channel, [ev.agentStatus("reviewer", "busy", { taskId: "4" })]);
  const agentMs = (await agentShown) - agentPostedAt;

  const taskShown = whenSelectorAppears(page, '[data-testid="task-row"][data-task-id="5"][data-progress="80"]');
  const taskPostedAt = Date.now();
  await suite.hub.send(channel, [ev.taskProgress(5, 80, { message: "gift cards wired" })]);
  const taskMs = (await taskShown) - taskPostedAt;

  console.log(`webhook→DOM: agent status ${agentMs} ms, task progress ${taskMs} ms (webhook POST to the DOM change, same machine)`);
  expect(await page.locator('[data-testid="task-row"][data-task-id="5"] [data-testid="task-percent"]').textContent()).toBe("80%");
  expect(await page.locator('[data-testid="agent-row"][data-agent-id="reviewer"] [data-testid="agent-status"]').textContent()).toBe("busy");
  expect(navigations).toEqual([]);
});

it("two pages see the same updates", async () => {
  const channel = "two-pages";
  await suite.hub.send(channel, demoEvents());
  const [first, second] = await Promise.all([openChannel(await suite.newContext(), suite.server.url, channel), openChannel(await suite.newContext(), suite.server.url, channel)]);
  await Promise.all([waitForPhase(first, "live"), waitForPhase(second, "live")]);

  let head = 0;
  for (let i = 1; i <= 10; i++) {
    const result = await suite.hub.send(channel, [
      ev.taskProgress(7, i * 10),
      ev.agentStatus("docs-bot", i % 2 === 0 ? "busy" : "idle", { taskId: i % 2 === 0 ? "7" : null }),
    ]);
    head = result.head;
  }
  await suite.hub.send(channel, [ev.taskUpsert({ id: 11, title: "Added while both watch", status: "pending" })]);
  head += 1;
  await Promise.all([waitForSeq(first, head), waitForSeq(second, head)]);

  const [viewA, viewB] = await Promise.all([renderedView(first), renderedView(second)]);
  expect(viewA).toEqual(viewB);
  expect(viewA.tasks["7"]).toEqual({ status: "pending", percent: 100 });
  expect(viewA.tasks["11"]).toEqual({ status: "pending", percent: 0 });
  expect(viewA.agents["docs-bot"]).toBe("busy");
  const [stateA, stateB] = await Promise.all([liveState(first), liveState(second)]);
  expect(stateA.state).toEqual(stateB.state);
  expect(stateA.status.seq).toBe(head);
});

it("lists the channels with live activity and opens one", async () => {
  const channel = "listed-channel";
  const { head } = await suite.hub.send(channel, demoEvents());
  const page = await (await suite.newContext()).newPage();
  await page.goto(`${suite.server.url}/#token=test-dashboard-token`);
  const row = page.locator(`[data-testid="channel-row"][data-channel="${channel}"]`);
  await row.waitFor({ timeout: 15_000 });
  expect(page.url()).not.toContain("token=");
  expect(Number(await row.getAttribute("data-head"))).toBeGreaterThanOrEqual(head);

  const next = (await suite.hub.send(channel, [ev.taskProgress(3, 90)])).head;
  await page.waitForSelector(`[data-testid="channel-row"][data-channel="${channel}"][data-head="${next}"]`, { timeout: 15_000 });

  await row.locator("a").click();
  await waitForPhase(page, "live");
  expect(new URL(page.url()).pathname).toBe(`/c/${channel}`);
});

it("works by keyboard and fits a phone screen", async () => {
  const channel = "keyboard-phone";
  await suite.hub.send(channel, demoEvents());
  const context = await suite.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true });
  const page = await openChannel(context, suite.server.url, channel);
  await waitForPhase(page, "live");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);

  const status = page.locator('[data-testid="connection-announcement"]');
  expect(await status.getAttribute("aria-live")).toBe("polite");
  expect(await status.textContent()).toContain("Live");

  // Tab to the Debug toggle and open it with the keyboard.
  for (let i = 0; i < 15; i++) {
    await page.keyboard.press("Tab");
    if ((await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))) === "debug-toggle") break;
  }
  expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("debug-toggle");
  await page.keyboard.press("Enter");
  await page.locator('[data-testid="server-metrics"]').waitFor({ timeout: 10_000 });
  expect(await page.locator('[data-testid="debug-toggle"]').getAttribute("aria-expanded")).toBe("true");

  // Filter by search with the keyboard only.
  await page.locator('[data-testid="task-search"]').focus();
  await page.keyboard.type("fraud");
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="task-row"]').length === 1);
  expect(await page.locator('[data-testid="task-row"]').getAttribute("data-task-id")).toBe("8");
});
