/**
 * Issue 9, item 7: the tabs of one browser watching a channel share one
 * WebSocket. Three pages of one BrowserContext (three tabs: one Web Locks
 * and BroadcastChannel scope): one socket, every tab shows every update, and
 * closing the leader's tab while events keep coming loses nothing and
 * repeats nothing; the next leader resumes from its seq.
 */
import type { BrowserContext, Page, WebSocket } from "playwright-core";
import { expect, it } from "vitest";
import { TEST_SECRETS } from "../../dev/secrets.ts";
import { ev } from "../../dev/events.ts";
import { useBrowserSuite } from "./support/chromium.ts";
import { expectedView, renderedView, waitForPhase, waitForSeq } from "./support/dashboard-page.ts";
import { demoEvents } from "./support/demo-data.ts";

const suite = useBrowserSuite();

interface Tab {
  readonly page: Page;
  readonly sockets: WebSocket[];
}

/** A tab of `context` on the channel, counting the WebSockets it opens from its first request on. */
async function openTab(context: BrowserContext, channel: string): Promise<Tab> {
  const page = await context.newPage();
  const sockets: WebSocket[] = [];
  page.on("websocket", (socket) => sockets.push(socket));
  page.on("pageerror", (error) => console.error(`[page error] ${error.message}`));
  await page.goto(`${suite.server.url}/c/${channel}#token=${encodeURIComponent(TEST_SECRETS.DASHBOARD_TOKEN)}`);
  return { page, sockets };
}

interface TabView {
  readonly role: string;
  readonly seq: number | null;
  readonly phase: string;
  readonly state: unknown;
  readonly activitySeqs: number[];
}

async function tabView(page: Page): Promise<TabView> {
  return page.evaluate(() => {
    const hook = (globalThis as unknown as { __TASKMASTER_LIVE__?: { role: string; state: unknown; status: { seq: number | null; phase: string }; activity: { seq: number }[] } }).__TASKMASTER_LIVE__;
    if (!hook) throw new Error("the live hook is not installed");
    return JSON.parse(JSON.stringify({ role: hook.role, seq: hook.status.seq, phase: hook.status.phase, state: hook.state, activitySeqs: hook.activity.map((e) => e.seq) }));
  });
}

const openSockets = (tabs: readonly Tab[]) => tabs.flatMap((t) => t.sockets).filter((s) => !s.isClosed());

/** Every tab at the server's head, equal to its snapshot, its feed gap-free and without repeats. */
async function expectTabsEqualServer(tabs: readonly Tab[], channel: string): Promise<number> {
  const snapshot = await suite.hub.snapshot(channel);
  for (const { page } of tabs) {
    await waitForSeq(page, snapshot.seq);
    await waitForPhase(page, "live");
    const view = await tabView(page);
    expect(view.seq).toBe(snapshot.seq);
    expect(view.state).toEqual(snapshot.state);
    expect(await renderedView(page)).toEqual(expectedView(snapshot.state));
    const seqs = view.activitySeqs;
    expect(seqs[0]).toBe(snapshot.seq);
    expect(seqs).toEqual(seqs.map((_, i) => snapshot.seq - i));
  }
  return snapshot.seq;
}

it("three tabs share one WebSocket, all show every update, and closing the leader's tab loses nothing", async () => {
  const channel = "shared-socket";
  const seeded = await suite.hub.send(channel, demoEvents());
  const context = await suite.newContext();
  const tabs: Tab[] = [];
  for (let i = 0; i < 3; i++) tabs.push(await openTab(context, channel));
  for (const { page } of tabs) await waitForSeq(page, seeded.head);

  const roles = await Promise.all(tabs.map(async ({ page }) => (await tabView(page)).role));
  expect(roles.filter((r) => r === "leader")).toHaveLength(1);
  expect(roles.filter((r) => r === "follower")).toHaveLength(2);
  expect(tabs.flatMap((t) => t.sockets)).toHaveLength(1);
  const leader = tabs[roles.indexOf("leader")]!;
  expect(leader.sockets).toHaveLength(1);

  for (let i = 1; i <= 10; i++) {
    await suite.hub.send(channel, [ev.taskUpsert({ id: 100 + i, title: `Shared ${i}`, status: "pending" }), ev.agentStatus("docs-bot", i % 2 === 0 ? "busy" : "idle")]);
  }
  const before = await expectTabsEqualServer(tabs, channel);
  expect(openSockets(tabs)).toHaveLength(1);

  // The leader's tab closes while events keep coming: the hand-over happens under load.
  const posting = (async () => {
    for (let i = 1; i <= 10; i++) {
      await suite.hub.send(channel, [ev.taskUpsert({ id: 100 + i, title: `Shared ${i}`, status: i % 3 === 0 ? "done" : "in-progress" }), ev.taskUpsert({ id: 200 + i, title: `During hand-over ${i}`, status: "pending" })]);
    }
  })();
  await leader.page.close();
  await posting;
  const rest = tabs.filter((t) => t !== leader);
  const after = await expectTabsEqualServer(rest, channel);
  expect(after).toBeGreaterThanOrEqual(before + 20);

  const restRoles = await Promise.all(rest.map(async ({ page }) => (await tabView(page)).role));
  expect(restRoles.sort()).toEqual(["follower", "leader"]);
  expect(openSockets(rest)).toHaveLength(1);
  const taken = rest.flatMap((t) => t.sockets);
  expect(taken).toHaveLength(1);
  // The new leader resumed from the seq it had followed to, not from nothing.
  const since = Number(new URL(taken[0]!.url()).searchParams.get("since"));
  expect(since).toBeGreaterThanOrEqual(before);

  const view = await renderedView(rest[0]!.page);
  for (let i = 1; i <= 10; i++) {
    expect(view.tasks[String(100 + i)]?.status).toBe(i % 3 === 0 ? "done" : "in-progress");
    expect(view.tasks[String(200 + i)]?.status).toBe("pending");
  }
});

it("signing out in the leader's tab signs out the followers too, and no tab takes the socket over", async () => {
  const channel = "shared-socket-signout";
  const { head } = await suite.hub.send(channel, demoEvents());
  const context = await suite.newContext();
  const tabs = [await openTab(context, channel), await openTab(context, channel)];
  for (const { page } of tabs) await waitForSeq(page, head);
  const leader = tabs.find((t) => t.sockets.length === 1)!;
  expect(openSockets(tabs)).toHaveLength(1);

  await leader.page.locator('[data-testid="sign-out"]').click();
  for (const { page } of tabs) await page.locator('[data-testid="token-form"]').waitFor({ timeout: 10_000 });
  await expect.poll(() => openSockets(tabs).length, { timeout: 10_000 }).toBe(0);
  expect(tabs.flatMap((t) => t.sockets)).toHaveLength(1);
  for (const { page } of tabs) {
    expect(await page.evaluate(() => Object.keys(localStorage).filter((key) => key.startsWith("taskmaster-live.")))).toEqual([]);
  }
});
