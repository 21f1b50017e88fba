import { afterEach, describe, expect, it } from "vitest";
import { PROTOCOL_VERSION, emptyState } from "../../../protocol/index.ts";
import { LiveChannel, noPageEvents, partySocketConnector, type SocketListeners, type SocketQuery } from "../../../dashboard/src/lib/live/index.ts";
import { FakeClock } from "../../fakes/dashboard/fake-clock.ts";
import { FakeTickets } from "../../fakes/dashboard/fake-tickets.ts";
import { FakeWebSocket } from "../../fakes/dashboard/fake-web-socket.ts";
import { ManualFrames } from "../../fakes/dashboard/manual-frames.ts";

/** partysocket uses real timers (a 0 ms wait before connecting): let them run. */
const tick = (ms = 20) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function nextWebSocket(count: number): Promise<FakeWebSocket> {
  for (let i = 0; i < 100 && FakeWebSocket.instances.length < count; i++) await tick(5);
  const ws = FakeWebSocket.instances[count - 1];
  if (!ws) throw new Error(`partysocket created ${FakeWebSocket.instances.length} sockets, expected ${count}`);
  return ws;
}

function recorder() {
  const events: string[] = [];
  const listeners: SocketListeners = {
    open: () => events.push("open"),
    message: (text) => events.push(`message ${text}`),
    close: (code, reason) => events.push(`close ${code} ${reason}`),
  };
  return { events, listeners };
}

afterEach(() => FakeWebSocket.reset());

describe("partySocketConnector", () => {
  it("builds ws(s)://host/ws/<channel> with the query resolved right before connecting", async () => {
    const connector = partySocketConnector({ baseUrl: "http://127.0.0.1:8788", channel: "my.chan", WebSocket: FakeWebSocket });
    let since = 4;
    const query = async (): Promise<SocketQuery> => ({ since: String(since), epoch: "e1", ticket: "t-1", absent: undefined });
    connector.connect(query, recorder().listeners);
    since = 5; // changed after connect(), before partysocket evaluates the query
    const url = new URL((await nextWebSocket(1)).url);
    expect(url.protocol).toBe("ws:");
    expect(url.host).toBe("127.0.0.1:8788");
    expect(url.pathname).toBe("/ws/my.chan");
    expect(url.searchParams.get("since")).toBe("5");
    expect(url.searchParams.get("epoch")).toBe("e1");
    expect(url.searchParams.get("ticket")).toBe("t-1");
    expect(url.searchParams.has("absent")).toBe(false);

    partySocketConnector({ baseUrl: "https://hub.example", channel: "c", WebSocket: FakeWebSocket }).connect(query, recorder().listeners);
    expect(new URL((await nextWebSocket(2)).url).origin).toBe("wss://hub.example");
  });

  it("reports open, text messages and the server's close code once, and never reconnects by itself", async () => {
    const connector = partySocketConnector({ baseUrl: "http://127.0.0.1:1", channel: "c", WebSocket: FakeWebSocket });
    const { events, listeners } = recorder();
    const handle = connector.connect(async () => ({ ticket: "t" }), listeners);
    const ws = await nextWebSocket(1);
    ws.serverOpen();
    expect(handle.send("hi")).toBe(true);
    ws.serverSend('{"type":"pong"}');
    ws.serverClose(4001, "the ticket has expired");
    await tick(50);
    expect(events).toEqual(["open", 'message {"type":"pong"}', "close 4001 the ticket has expired"]);
    expect(ws.sent).toEqual(["hi"]);
    expect(handle.send("late")).toBe(false);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it("reports a failed upgrade as one close 1006", async () => {
    const connector = partySocketConnector({ baseUrl: "http://127.0.0.1:1", channel: "c", WebSocket: FakeWebSocket });
    const { events, listeners } = recorder();
    connector.connect(async () => ({ ticket: "t" }), listeners);
    (await nextWebSocket(1)).serverFail();
    await tick(50);
    expect(events).toEqual(["close 1006 connection failed"]);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it("reports a query that throws (no ticket) as close 1006 with its message", async () => {
    const connector = partySocketConnector({ baseUrl: "http://127.0.0.1:1", channel: "c", WebSocket: FakeWebSocket });
    const { events, listeners } = recorder();
    connector.connect(() => Promise.reject(new Error("network down")), listeners);
    await tick(50);
    expect(events).toEqual(["close 1006 network down"]);
    expect(FakeWebSocket.instances).toHaveLength(0);
  });

  it("close() from the client ends the attempt silently, also while the query is still pending", async () => {
    const connector = partySocketConnector({ baseUrl: "http://127.0.0.1:1", channel: "c", WebSocket: FakeWebSocket });
    const open = recorder();
    const handle = connector.connect(async () => ({ ticket: "t" }), open.listeners);
    const ws = await nextWebSocket(1);
    ws.serverOpen();
    handle.close(1000, "bye");
    await tick(50);
    expect(open.events).toEqual(["open"]);
    expect(ws.closedByClient).toEqual({ code: 1000, reason: "bye" });

    const pending = recorder();
    let release: (q: SocketQuery) => void = () => {};
    const early = connector.connect(() => new Promise<SocketQuery>((resolve) => (release = resolve)), pending.listeners);
    await tick(20);
    early.close();
    release({ ticket: "t" });
    await tick(50);
    expect(pending.events).toEqual([]);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });
});

describe("LiveChannel over partysocket", () => {
  it("goes live, and on a close reconnects only when its own backoff says so, with a fresh cursor", async () => {
    const clock = new FakeClock();
    const frames = new ManualFrames();
    const live = new LiveChannel({
      baseUrl: "http://127.0.0.1:8788",
      channel: "demo",
      tickets: new FakeTickets(),
      connector: partySocketConnector({ baseUrl: "http://127.0.0.1:8788", channel: "demo", WebSocket: FakeWebSocket }),
      clock,
      scheduleFrame: frames.schedule,
      random: () => 0.5,
      page: noPageEvents,
    });
    live.start();
    const ws = await nextWebSocket(1);
    expect(new URL(ws.url).searchParams.get("ticket")).toBe("ticket-1");
    ws.serverOpen();
    ws.serverSend(JSON.stringify({ type: "hello", protocol: PROTOCOL_VERSION, channel: "demo", epoch: "e1", head: 7, recovered: false }));
    ws.serverSend(JSON.stringify({ type: "snapshot", epoch: "e1", seq: 7, state: emptyState() }));
    expect(live.status).toMatchObject({ phase: "live", seq: 7 });
    expect(ws.sent).toEqual([]);
    frames.flush(); // the first ping waits for the frame that renders the snapshot
    clock.advance(0);
    expect(ws.sent).toEqual(['{"type":"ping"}']);

    ws.serverClose(1012, "restarting");
    await tick(100);
    expect(live.status).toMatchObject({ phase: "reconnecting", closeCode: 1012 });
    expect(FakeWebSocket.instances).toHaveLength(1);
    clock.advance(live.status.nextRetryAtMs! - clock.now());
    const next = new URL((await nextWebSocket(2)).url);
    expect(Object.fromEntries([...next.searchParams].filter(([k]) => k !== "_pk"))).toEqual({ since: "7", epoch: "e1", ticket: "ticket-1" });
    live.stop();
  });
});
