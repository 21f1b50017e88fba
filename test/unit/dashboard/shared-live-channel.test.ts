import { describe, expect, it } from "vitest";
import { emptyState } from "../../../protocol/index.ts";
import { FollowerView, WAITING_FOR_LEADER } from "../../../dashboard/src/lib/live/follower-view.ts";
import { memoryStateCache, noPageEvents, parseTabMessage, SharedLiveChannel, tabSharingName, type TabSharing } from "../../../dashboard/src/lib/live/index.ts";
import { FakeClock, settle } from "../../fakes/dashboard/fake-clock.ts";
import { FakeHub } from "../../fakes/dashboard/fake-hub.ts";
import { FakeSocketConnector, type FakeSocket } from "../../fakes/dashboard/fake-socket.ts";
import { FakeBrowser, type FakeTab } from "../../fakes/dashboard/fake-tab-sharing.ts";
import { FakeTickets } from "../../fakes/dashboard/fake-tickets.ts";
import { ManualFrames } from "../../fakes/dashboard/manual-frames.ts";
import { agentPatch, agentSet, BASE_URL, CHANNEL } from "./harness.ts";

const LOCK = tabSharingName(CHANNEL);

/** One browser (locks, broadcast, one cache) and one hub; each tab a SharedLiveChannel on the same socket connector. */
function makeBrowser(options: { sharing?: boolean } = {}) {
  const clock = new FakeClock();
  const connector = new FakeSocketConnector();
  const hub = new FakeHub(CHANNEL);
  const frames = new ManualFrames();
  const cache = memoryStateCache();
  const browser = new FakeBrowser();
  const tabs: { tab: FakeTab; live: SharedLiveChannel }[] = [];
  const openTab = (sharing: TabSharing | null = null) => {
    const tab = browser.tab();
    const live = new SharedLiveChannel({
      baseUrl: BASE_URL,
      channel: CHANNEL,
      tickets: new FakeTickets(),
      cache,
      connector,
      fetch: hub.fetch,
      clock,
      scheduleFrame: frames.schedule,
      random: () => 0.5,
      page: noPageEvents,
      sharing: options.sharing === false ? null : (sharing ?? tab.sharing),
      tabId: `tab-${tabs.length + 1}`,
    });
    tabs.push({ tab, live });
    live.start();
    return live;
  };
  const openSockets = () => connector.sockets.filter((s) => s.state === "open" || s.state === "connecting" || s.state === "querying");
  /** Lets locks, relays and ticket lookups settle, then accepts every socket that is waiting for the hub. */
  const settleAll = async (): Promise<void> => {
    for (let i = 0; i < 5; i++) {
      await settle();
      for (const socket of connector.sockets) if (socket.state === "connecting") hub.accept(socket);
      frames.flush();
      clock.advance(0);
    }
    await settle();
  };
  return { clock, connector, hub, frames, cache, browser, tabs, openTab, openSockets, settleAll };
}

describe("SharedLiveChannel: one socket for the tabs of a browser", () => {
  it("elects one leader: three tabs, one socket, the others follow with the leader's state and status", async () => {
    const b = makeBrowser();
    b.hub.commit([agentSet("a")]);
    const [first, second, third] = [b.openTab(), b.openTab(), b.openTab()];
    await b.settleAll();
    expect(b.connector.sockets).toHaveLength(1);
    expect([first.role, second.role, third.role]).toEqual(["leader", "follower", "follower"]);
    expect(b.browser.holderOf(LOCK)).toBe(b.tabs[0]!.tab);
    for (const live of [first, second, third]) {
      expect(live.state).toEqual(b.hub.state);
      expect(live.status).toMatchObject({ phase: "live", transport: "websocket", seq: 1 });
    }
  });

  it("relays every delta in order with its seq; each tab's feed matches the leader's", async () => {
    const b = makeBrowser();
    const [leader, follower] = [b.openTab(), b.openTab()];
    await b.settleAll();
    b.hub.commit([agentSet("a")]);
    b.hub.commit([agentSet("b")]);
    b.hub.commit([agentPatch("a", "busy")]);
    await b.settleAll();
    expect(follower.state).toEqual(b.hub.state);
    expect(follower.activity.map((e) => e.seq)).toEqual([3, 2, 1]);
    expect(follower.activity).toEqual(leader.activity);
    const relayed = b.browser.posted.flatMap((m) => (m.type === "deltas" ? m.deltas.map((d) => d.seq) : []));
    expect(relayed).toEqual([1, 2, 3]);
    expect(follower.status.seq).toBe(3);
  });

  it("a follower that joins late takes the leader's state and feed", async () => {
    const b = makeBrowser();
    b.openTab();
    await b.settleAll();
    b.hub.commit([agentSet("a")]);
    b.hub.commit([agentSet("b")]);
    await b.settleAll();
    const late = b.openTab();
    await b.settleAll();
    expect(late.role).toBe("follower");
    expect(late.state).toEqual(b.hub.state);
    expect(late.activity.map((e) => e.seq)).toEqual([2, 1]);
    expect(b.connector.sockets).toHaveLength(1);
  });

  it("a follower that misses a relay asks for the state again, and ends up exact", async () => {
    const b = makeBrowser();
    const [, follower] = [b.openTab(), b.openTab()];
    await b.settleAll();
    b.browser.dropNext = "deltas";
    b.hub.commit([agentSet("a")]);
    await b.settleAll();
    expect(follower.state?.agents["a"]).toBeUndefined();
    const asked = b.browser.posted.filter((m) => m.type === "want-state").length;
    b.hub.commit([agentSet("b")]);
    await b.settleAll();
    expect(b.browser.posted.filter((m) => m.type === "want-state").length).toBe(asked + 1);
    expect(follower.state).toEqual(b.hub.state);
    expect(follower.status.seq).toBe(2);
  });

  it("when the leader's tab closes, the next tab leads and resumes from its own seq with a replay", async () => {
    const b = makeBrowser();
    const [, second, third] = [b.openTab(), b.openTab(), b.openTab()];
    await b.settleAll();
    b.hub.commit([agentSet("a")]);
    b.hub.commit([agentSet("b")]);
    await b.settleAll();
    const first = b.connector.sockets[0]!;
    // The tab goes away without stop(): the browser drops its socket and its lock.
    b.tabs[0]!.tab.close();
    first.close(1001, "tab closed");
    b.hub.sockets.delete(first);
    b.hub.commit([agentPatch("a", "busy")]);
    b.hub.commit([agentSet("c")]);
    await b.settleAll();
    expect(second.role).toBe("leader");
    expect(third.role).toBe("follower");
    const taken: FakeSocket = b.connector.sockets[1]!;
    expect(taken.params).toMatchObject({ since: "2", epoch: b.hub.epoch });
    expect(b.openSockets()).toEqual([taken]);
    expect(second.debug.replays.recovered).toBe(1);
    for (const live of [second, third]) {
      expect(live.state).toEqual(b.hub.state);
      expect(live.status).toMatchObject({ phase: "live", seq: 4 });
      expect(live.activity.map((e) => e.seq)).toEqual([4, 3, 2, 1]);
    }
  });

  it("a leader that stops says so and hands over at once", async () => {
    const b = makeBrowser();
    const [first, second] = [b.openTab(), b.openTab()];
    await b.settleAll();
    const before = b.browser.posted.length;
    first.stop();
    expect(b.connector.sockets[0]!.state).toBe("closed");
    await b.settleAll();
    expect(b.browser.posted.slice(before).map((m) => `${m.from} ${m.type}`).slice(0, 2)).toEqual(["tab-1 leaving", "tab-2 state"]);
    expect(second.role).toBe("leader");
    expect(b.openSockets()).toHaveLength(1);
    expect(second.status.phase).toBe("live");
  });

  it("a late 'leaving' of an earlier leader does not blank the current leader's status", async () => {
    const b = makeBrowser();
    const [, follower] = [b.openTab(), b.openTab()];
    await b.settleAll();
    b.browser.tab().sharing.open(LOCK, () => {}).post({ type: "leaving", from: "tab-gone" });
    await b.settleAll();
    expect(follower.status.phase).toBe("live");
  });

  it("a follower's retry() and send() are done by the leader's socket", async () => {
    const b = makeBrowser();
    const [, follower] = [b.openTab(), b.openTab()];
    await b.settleAll();
    follower.send({ type: "resync" });
    await b.settleAll();
    expect(b.connector.sockets[0]!.sent).toContain('{"type":"resync"}');
    follower.retry();
    await b.settleAll();
    expect(b.connector.sockets).toHaveLength(2);
    expect(b.connector.sockets[0]!.state).toBe("closed");
    expect(follower.status.phase).toBe("live");
  });

  it("shows the leader's terminal status (denied) in every tab", async () => {
    const b = makeBrowser();
    const [, follower] = [b.openTab(), b.openTab()];
    await b.settleAll();
    b.connector.sockets[0]!.serverClose(4003, "ticket revoked");
    await b.settleAll();
    expect(follower.status.phase).toBe("denied");
    expect(follower.status.message).toContain("access denied");
  });

  it("without Web Locks or BroadcastChannel every tab connects on its own", async () => {
    const b = makeBrowser({ sharing: false });
    const [first, second] = [b.openTab(), b.openTab()];
    await b.settleAll();
    expect(b.connector.sockets).toHaveLength(2);
    expect([first.role, second.role]).toEqual(["alone", "alone"]);
    b.hub.commit([agentSet("a")]);
    await b.settleAll();
    expect(second.state).toEqual(b.hub.state);
  });

  it("stop() before the lock is granted withdraws the request", async () => {
    const b = makeBrowser();
    b.openTab();
    const second = b.openTab();
    second.stop();
    await b.settleAll();
    b.tabs[0]!.live.stop();
    await b.settleAll();
    expect(b.browser.holderOf(LOCK)).toBeNull();
    expect(b.connector.sockets).toHaveLength(1);
  });
});

describe("FollowerView", () => {
  const live = { phase: "live", transport: "websocket", attempt: 0, nextRetryAtMs: null, behind: 0, seq: 3, epoch: "e1", rttMs: 12, message: null, closeCode: null } as const;
  const position = (seq: number) => ({ epoch: "e1", seq, state: emptyState() });

  it("shows the leader's status with its own seq, catching up while behind it, and waits after the leader left", () => {
    const asked: string[] = [];
    const view = new FollowerView({ askState: (why) => asked.push(why), changed: () => {}, log: () => {} });
    expect(view.status).toMatchObject({ phase: "connecting", message: WAITING_FOR_LEADER });
    view.paint(position(1));
    view.leaderStatus(live);
    expect(view.status).toMatchObject({ phase: "catching-up", seq: 1, behind: 2, rttMs: 12 });
    view.state(position(3), [], live);
    expect(view.status).toMatchObject({ phase: "live", seq: 3, behind: 0 });
    view.leaderLeft();
    expect(view.status).toMatchObject({ phase: "connecting", seq: 3, message: WAITING_FOR_LEADER });
  });

  it("asks for the state once per gap until it arrives", () => {
    const asked: string[] = [];
    const view = new FollowerView({ askState: (why) => asked.push(why), changed: () => {}, log: () => {} });
    view.paint(position(1));
    const delta = (seq: number) => ({ type: "delta" as const, epoch: "e1", seq, at: "2026-01-01T00:00:00Z", changes: [agentSet(`g${seq}`)] });
    view.deltas([delta(3)]);
    view.deltas([delta(4)]);
    expect(asked).toHaveLength(1);
    view.deltas([delta(1), delta(2)]);
    expect(view.store.seq).toBe(2);
    view.state(position(2), [], live);
    view.deltas([delta(5)]);
    expect(asked).toHaveLength(2);
  });
});

describe("parseTabMessage", () => {
  it("takes the messages of the protocol and nothing else", () => {
    expect(parseTabMessage({ type: "want-state", from: "t" })).toEqual({ type: "want-state", from: "t" });
    expect(parseTabMessage({ type: "deltas", from: "t", deltas: [] })).not.toBeNull();
    for (const bad of [null, "x", { type: "want-state" }, { type: "other", from: "t" }, { type: "deltas", from: "t" }, { type: "send", from: "t", text: 1 }, { type: "status", from: "t" }]) {
      expect(parseTabMessage(bad)).toBeNull();
    }
  });
});
