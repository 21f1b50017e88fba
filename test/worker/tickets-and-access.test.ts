/**
 * Who may look: the dashboard token buys tickets and nothing else; tickets
 * open sockets and REST reads for the channels they grant, nothing more.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { CloseCode, MAX_TICKET_TTL_SECONDS, Paths, type TicketResponse } from "../../protocol/index.ts";
import { issueTicket, ticketKey } from "../../worker/auth/tickets.ts";
import { TOKEN_IS_NOT_A_TICKET, ticketKeyFor } from "../../worker/auth/viewer-auth.ts";
import { ev } from "../../dev/events.ts";
import { TEST_SECRETS } from "../../dev/secrets.ts";
import { expectError } from "./support/http-expect.ts";
import { HUB_URL, fetchHub, hub, listChannels, send, uniqueChannel } from "./support/hub.ts";
import { SocketProbe, settle } from "./support/socket-probe.ts";

const TOKEN = TEST_SECRETS.DASHBOARD_TOKEN;
const RENEW = "get a new one from POST /api/auth/ticket";

afterEach(() => SocketProbe.closeAll());

function requestTicket(body: unknown, authorization: string | null = `Bearer ${TOKEN}`): Promise<Response> {
  return fetchHub(HUB_URL + Paths.ticket, {
    method: "POST",
    headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

async function expiredTicket(channels: string[]): Promise<string> {
  return issueTicket(await ticketKeyFor(env), { channels, exp: nowSeconds() - 1 });
}

describe("POST /api/auth/ticket", () => {
  it("issues a ticket for every channel by default, valid for TICKET_TTL_SECONDS", async () => {
    const before = nowSeconds();
    const res = await requestTicket({});
    expect(res.status).toBe(200);
    const body = (await res.json()) as TicketResponse;
    expect(body).toStrictEqual({ ticket: expect.stringMatching(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/), expiresAt: expect.any(String), channels: ["*"] });
    const exp = Date.parse(body.expiresAt) / 1000;
    expect(exp).toBeGreaterThanOrEqual(before + 600);
    expect(exp).toBeLessThanOrEqual(nowSeconds() + 600);
  });

  it("names the channels and lifetime asked for; an empty body means the defaults", async () => {
    const res = await requestTicket({ channels: ["alpha", "beta.2"], ttlSeconds: 30 });
    const body = (await res.json()) as TicketResponse;
    expect(body.channels).toStrictEqual(["alpha", "beta.2"]);
    expect(Date.parse(body.expiresAt) / 1000 - nowSeconds()).toBeLessThanOrEqual(30);
    const empty = await fetchHub(HUB_URL + Paths.ticket, { method: "POST", headers: { authorization: `Bearer ${TOKEN}` } });
    expect(((await empty.json()) as TicketResponse).channels).toStrictEqual(["*"]);
  });

  it("401 without the dashboard token, or with a wrong one, or with a ticket", async () => {
    const message = "Authorization: Bearer <DASHBOARD_TOKEN> is missing or wrong";
    const ticket = await hub.ticket();
    for (const authorization of [null, "Bearer", `Bearer ${TOKEN}x`, `Basic ${TOKEN}`, TOKEN, `Bearer ${ticket}`]) {
      await expectError(await requestTicket({}, authorization), 401, { code: "unauthorized", message });
    }
  });

  it("400 for an invalid request, listing the issues", async () => {
    const cases: [unknown, string][] = [
      [{ channels: [] }, "channels"],
      [{ channels: ["Bad Name"] }, "channels.0"],
      [{ channels: "alpha" }, "channels"],
      [{ channels: Array.from({ length: 101 }, (_, i) => `c${i}`) }, "channels"],
      [{ ttlSeconds: 0 }, "ttlSeconds"],
      [{ ttlSeconds: 1.5 }, "ttlSeconds"],
      [{ ttlSeconds: MAX_TICKET_TTL_SECONDS + 1 }, "ttlSeconds"],
      [{ ttlSeconds: "60" }, "ttlSeconds"],
    ];
    for (const [body, path] of cases) {
      const res = await requestTicket(body);
      const error = await expectError(res, 400, { code: "bad_request", message: "the ticket request is invalid", details: { issues: expect.any(Array) } });
      const issues = (error.error.details as { issues: { path: string; message: string }[] }).issues;
      expect(issues.map((i) => i.path), JSON.stringify(body)).toContain(path);
    }
    await expectError(await requestTicket("{oops"), 400, { code: "bad_json", message: /^the body is not JSON: / });
  });
});

describe("ticket checks on the WebSocket", () => {
  async function refused(channel: string, ticket: string | undefined, code: number, error: { code: string; message: string | RegExp }) {
    const viewer = await SocketProbe.open(channel, ticket === undefined ? {} : { ticket });
    const closed = await viewer.waitForClose();
    expect(closed.code).toBe(code);
    expect(viewer.frames).toStrictEqual([{ type: "error", code: error.code, message: typeof error.message === "string" ? error.message : expect.stringMatching(error.message) }]);
  }

  it("4001 for a missing, malformed, forged or expired ticket", async () => {
    const channel = uniqueChannel("ws-auth");
    await refused(channel, undefined, CloseCode.UNAUTHORIZED, { code: "unauthorized", message: /^a ticket is required/ });
    await refused(channel, "not-a-ticket", CloseCode.UNAUTHORIZED, { code: "unauthorized", message: `the ticket is malformed; ${RENEW}` });
    const good = await hub.ticket([channel]);
    const [prefix, payload, sig] = good.split(".") as [string, string, string];
    const tampered = `${prefix}.${payload}.${sig.slice(0, -2)}${sig.endsWith("AA") ? "BA" : "AA"}`;
    await refused(channel, tampered, CloseCode.UNAUTHORIZED, { code: "unauthorized", message: `the ticket's signature is invalid; ${RENEW}` });
    // Same claims, other key: a ticket from another deployment (or from before a token rotation).
    const foreign = await issueTicket(await ticketKey("another-dashboard-token"), { channels: ["*"], exp: nowSeconds() + 600 });
    await refused(channel, foreign, CloseCode.UNAUTHORIZED, { code: "unauthorized", message: `the ticket's signature is invalid; ${RENEW}` });
    // Claims widened by hand: the signature no longer matches.
    const widened = `${prefix}.${btoa(JSON.stringify({ c: ["*"], exp: nowSeconds() + 600 })).replace(/=+$/, "")}.${sig}`;
    await refused(channel, widened, CloseCode.UNAUTHORIZED, { code: "unauthorized", message: `the ticket's signature is invalid; ${RENEW}` });
    await refused(channel, await expiredTicket([channel]), CloseCode.UNAUTHORIZED, { code: "unauthorized", message: `the ticket has expired; ${RENEW}` });
  });

  it("a real ticket stops working once its lifetime is over", async () => {
    const channel = uniqueChannel("ws-ttl");
    const ticket = await hub.ticket([channel], 1);
    const viewer = await SocketProbe.open(channel, { ticket });
    await viewer.waitForFrames(2);
    expect(viewer.frames[0]).toMatchObject({ type: "hello" });
    const started = Date.now();
    while (nowSeconds() < JSON.parse(atob(ticket.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/"))).exp) await settle(50);
    console.log(`ticket ttl: waited ${Date.now() - started} ms for a 1 s ticket to expire`);
    await refused(channel, ticket, CloseCode.UNAUTHORIZED, { code: "unauthorized", message: `the ticket has expired; ${RENEW}` });
  });

  it("4003 for a ticket that does not grant the channel", async () => {
    const channel = uniqueChannel("ws-grant");
    const other = uniqueChannel("ws-other");
    await refused(channel, await hub.ticket([other]), CloseCode.FORBIDDEN, { code: "forbidden", message: `the ticket does not grant channel "${channel}"` });
  });

  it("accepts a ticket naming the channel and a wildcard ticket", async () => {
    const channel = uniqueChannel("ws-ok");
    await send(channel, ev.meta({ name: "ok" }));
    for (const ticket of [await hub.ticket([channel]), await hub.ticket(["x", channel]), await hub.ticket()]) {
      const viewer = await SocketProbe.open(channel, { ticket });
      const [hello] = await viewer.waitForFrames(2);
      expect(hello).toMatchObject({ type: "hello", channel, head: 1 });
      await settle(10);
      expect(viewer.closed).toBeNull();
      viewer.close();
    }
  });

  it("4001 for the dashboard token itself: it only buys tickets, so no socket outlives a rotation", async () => {
    const channel = uniqueChannel("ws-token");
    await send(channel, ev.meta({ name: "token" }));
    await refused(channel, TOKEN, CloseCode.UNAUTHORIZED, { code: "unauthorized", message: TOKEN_IS_NOT_A_TICKET });
  });

  it("a refused socket sees none of the channel's data", async () => {
    const channel = uniqueChannel("ws-noleak");
    await send(channel, ev.meta({ name: "secret name" }));
    const viewer = await SocketProbe.open(channel, { ticket: await hub.ticket(["elsewhere"]) });
    await viewer.waitForClose();
    expect(JSON.stringify(viewer.frames)).not.toContain("secret name");
  });

  it("4400 for a socket on an invalid channel name", async () => {
    const viewer = await SocketProbe.open("Not_Valid", { ticket: await hub.ticket() });
    expect((await viewer.waitForClose()).code).toBe(CloseCode.PROTOCOL_ERROR);
    expect(viewer.frames).toStrictEqual([{ type: "error", code: "bad_channel", message: "channel must match ^[a-z0-9][a-z0-9._-]{0,63}$" }]);
  });

  it("400 for a plain GET on the socket path", async () => {
    await expectError(await fetchHub(`${HUB_URL}/ws/anything?ticket=${TOKEN}`), 400, {
      code: "bad_request",
      message: "this path expects a WebSocket upgrade (Upgrade: websocket)",
    });
  });
});

describe("ticket checks on the REST API", () => {
  const views = (channel: string) => [Paths.snapshot(channel), Paths.deltas(channel), Paths.metrics(channel)];

  it("401 without a credential, or with a bad or expired one", async () => {
    const channel = uniqueChannel("rest-auth");
    for (const path of [...views(channel), Paths.channels]) {
      await expectError(await hub.get(path), 401, { code: "unauthorized", message: /^a ticket is required/ });
      await expectError(await hub.get(path, "v1.bogus.bogus"), 401, { code: "unauthorized", message: /^the ticket('s signature)? is (malformed|invalid)/ });
      await expectError(await hub.get(path, await expiredTicket(["*"])), 401, { code: "unauthorized", message: `the ticket has expired; ${RENEW}` });
    }
  });

  it("403 for a channel the ticket does not grant; 200 for one it does", async () => {
    const channel = uniqueChannel("rest-grant");
    const ticket = await hub.ticket([channel]);
    const other = uniqueChannel("rest-other");
    for (const path of views(other)) {
      await expectError(await hub.get(path, ticket), 403, { code: "forbidden", message: `the ticket does not grant channel "${other}"` });
    }
    for (const path of views(channel)) expect((await hub.get(path, ticket)).status).toBe(200);
  });

  it("401 for the dashboard token itself, saying to trade it for a ticket", async () => {
    const channel = uniqueChannel("rest-token");
    for (const path of [...views(channel), Paths.channels]) {
      await expectError(await hub.get(path, TOKEN), 401, { code: "unauthorized", message: TOKEN_IS_NOT_A_TICKET });
    }
  });

  it("the directory lists only the channels a ticket grants", async () => {
    const seen = uniqueChannel("dir-seen");
    const hidden = uniqueChannel("dir-hidden");
    await send(seen, ev.meta({ name: "s" }));
    await send(hidden, ev.meta({ name: "h" }));
    const ticket = await hub.ticket([seen]);
    const everything = await hub.ticket();
    const listed = async (credential: string) => (await listChannels(credential)).map((c) => c.channel);
    // Directory reports are sent after the webhook's answer: poll briefly.
    for (let i = 0; i < 50 && !((await listed(everything)).includes(seen) && (await listed(everything)).includes(hidden)); i++) await settle(20);
    expect(await listed(everything)).toEqual(expect.arrayContaining([seen, hidden]));
    expect(await listed(ticket)).toStrictEqual([seen]);
  });
});
