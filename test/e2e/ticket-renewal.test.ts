/**
 * Access can be revoked, and watching all day still works: against the real
 * Worker with 5-second tickets, the dashboard's connection renews its ticket
 * in-band and stays on one socket, while a client that does not renew is
 * closed with 4001 once its ticket expires.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { CloseCode, Paths } from "../../protocol/index.ts";
import { LiveChannel, TicketSource, noPageEvents } from "../../dashboard/src/lib/live/index.ts";
import { DevServer } from "../../dev/dev-server.ts";
import { ev } from "../../dev/events.ts";
import { HubClient } from "../../dev/hub-client.ts";

const TICKET_TTL_SECONDS = 5;
const CHANNEL = "e2e-renewal";
/** Its own channel (object), so the renewing client's traffic does not keep that object awake. */
const PLAIN_CHANNEL = "e2e-no-renewal";

let server: DevServer;
beforeAll(async () => {
  server = await DevServer.start({ vars: { TICKET_TTL_SECONDS: String(TICKET_TTL_SECONDS) } });
});
afterAll(async () => {
  await server?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it("renews the ticket of an open connection in-band; a connection that does not is closed with 4001", async () => {
  const hub = new HubClient(server.url);
  await hub.send(CHANNEL, [ev.meta({ name: "renewal" })]);
  await hub.send(PLAIN_CHANNEL, [ev.meta({ name: "no renewal" })]);

  // A plain socket with a 5 s ticket and no renewal.
  const plain = new WebSocket(`${server.url.replace("http", "ws")}${Paths.socket(PLAIN_CHANNEL)}?ticket=${await hub.ticket([PLAIN_CHANNEL])}`);
  const plainClosed = new Promise<{ code: number; reason: string }>((resolve) => plain.addEventListener("close", (e) => resolve({ code: e.code, reason: e.reason })));
  const plainFrames: string[] = [];
  plain.addEventListener("message", (e) => plainFrames.push(String(e.data)));

  const live = new LiveChannel({
    baseUrl: server.url,
    channel: CHANNEL,
    tickets: new TicketSource({ baseUrl: server.url, token: hub.secrets.DASHBOARD_TOKEN }),
    page: noPageEvents,
  });
  live.start();
  try {
    const started = Date.now();
    while (live.status.phase !== "live" && Date.now() - started < 15_000) await sleep(50);
    expect(live.status.phase).toBe("live");

    // Locally (wrangler dev) the close handshake of an alarm-initiated close completes only when the object
    // goes idle, ~10 s after the error frame: allow for it.
    const closed = await Promise.race([plainClosed, sleep(30_000).then(() => null)]);
    expect(closed).toEqual({ code: CloseCode.UNAUTHORIZED, reason: "ticket expired" });
    expect(JSON.parse(plainFrames.at(-1)!)).toMatchObject({ type: "error", code: "unauthorized" });

    // Three ticket lifetimes later the dashboard is still on its first socket, and still current.
    await sleep(3 * TICKET_TTL_SECONDS * 1000);
    const { seq } = await hub.send(CHANNEL, [ev.meta({ name: "still here" })]).then((r) => ({ seq: r.head }));
    const waitStarted = Date.now();
    while (live.status.seq !== seq && Date.now() - waitStarted < 5_000) await sleep(50);
    const log = live.debug.log.map((e) => e.text);
    if (live.status.phase !== "live") console.log(log.join("\n"));
    expect(live.status).toMatchObject({ phase: "live", transport: "websocket", seq });
    expect(log.filter((t) => t === "renewed the connection's ticket").length).toBeGreaterThanOrEqual(3);
    expect(log.filter((t) => t.startsWith("connecting")).length).toBe(1);
    expect(log.some((t) => t.startsWith("the hub accepted the renewed ticket"))).toBe(true);
  } finally {
    live.stop();
    plain.close();
  }
});
