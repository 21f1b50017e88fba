import { describe, expect, it } from "vitest";
import { TicketDeniedError, TicketSource } from "../../../dashboard/src/lib/live/index.ts";

const T0 = Date.UTC(2026, 0, 1);

/** A ticket endpoint: records requests, answers with a ticket valid for `ttlSeconds` on the server's clock. */
function ticketServer(options: { ttlSeconds?: number; status?: number; serverSkewMs?: number } = {}) {
  const requests: { url: string; authorization: string | null; body: unknown }[] = [];
  let now = T0;
  const fetch: typeof globalThis.fetch = async (input, init) => {
    requests.push({ url: String(input), authorization: new Headers(init?.headers).get("authorization"), body: JSON.parse(String(init?.body)) });
    if (options.status && options.status !== 200) return Response.json({ error: { code: "unauthorized", message: "Authorization: Bearer <DASHBOARD_TOKEN> is missing or wrong" } }, { status: options.status });
    const serverNow = now + (options.serverSkewMs ?? 0);
    const expiresAt = new Date(serverNow + (options.ttlSeconds ?? 600) * 1000).toISOString();
    return Response.json({ ticket: `t${requests.length}`, expiresAt, channels: ["demo"] }, { headers: { date: new Date(serverNow).toUTCString() } });
  };
  return { requests, fetch, clock: { now: () => now, set: (ms: number) => void (now = ms) } };
}

describe("TicketSource", () => {
  it("POSTs the token for one channel and caches the ticket", async () => {
    const server = ticketServer();
    const tickets = new TicketSource({ baseUrl: "http://hub.test/", token: "tok", fetch: server.fetch, now: server.clock.now });
    expect(await tickets.get("demo")).toBe("t1");
    expect(await tickets.get("demo")).toBe("t1");
    expect(server.requests).toEqual([{ url: "http://hub.test/api/auth/ticket", authorization: "Bearer tok", body: { channels: ["demo"] } }]);
    expect(await tickets.get()).toBe("t2");
    expect(server.requests[1]!.body).toEqual({ channels: ["*"] });
  });

  it("refreshes a 600 s ticket when less than 60 s remain", async () => {
    const server = ticketServer({ ttlSeconds: 600 });
    const tickets = new TicketSource({ baseUrl: "http://hub.test", token: "tok", fetch: server.fetch, now: server.clock.now });
    await tickets.get("demo");
    server.clock.set(T0 + 530_000);
    expect(await tickets.get("demo")).toBe("t1");
    server.clock.set(T0 + 545_000);
    expect(await tickets.get("demo")).toBe("t2");
  });

  it("refreshes a short ticket when less than 20 % of its lifetime remains", async () => {
    const server = ticketServer({ ttlSeconds: 30 });
    const tickets = new TicketSource({ baseUrl: "http://hub.test", token: "tok", fetch: server.fetch, now: server.clock.now });
    await tickets.get("demo");
    server.clock.set(T0 + 20_000);
    expect(await tickets.get("demo")).toBe("t1");
    server.clock.set(T0 + 24_000);
    expect(await tickets.get("demo")).toBe("t2");
  });

  it("measures the lifetime on the server's clock, so a skewed local clock cannot keep an expired ticket", async () => {
    // The server's clock is an hour ahead: expiresAt looks 70 min away locally, but the ticket lives 10 min.
    const server = ticketServer({ ttlSeconds: 600, serverSkewMs: 3_600_000 });
    const tickets = new TicketSource({ baseUrl: "http://hub.test", token: "tok", fetch: server.fetch, now: server.clock.now });
    await tickets.get("demo");
    server.clock.set(T0 + 560_000);
    expect(await tickets.get("demo")).toBe("t2");
  });

  it("shares one request between concurrent callers, and invalidate() forces a new one", async () => {
    const server = ticketServer();
    const tickets = new TicketSource({ baseUrl: "http://hub.test", token: "tok", fetch: server.fetch, now: server.clock.now });
    expect(await Promise.all([tickets.get("demo"), tickets.get("demo"), tickets.get("demo")])).toEqual(["t1", "t1", "t1"]);
    tickets.invalidate("demo");
    expect(await tickets.get("demo")).toBe("t2");
    expect(server.requests).toHaveLength(2);
  });

  it("throws TicketDeniedError on 401 (wrong token) and a plain Error on other failures", async () => {
    const denied = ticketServer({ status: 401 });
    const error = await new TicketSource({ baseUrl: "http://hub.test", token: "bad", fetch: denied.fetch }).get("demo").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TicketDeniedError);
    expect((error as Error).message).toMatch(/token was refused.*DASHBOARD_TOKEN/);
    const broken = ticketServer({ status: 503 });
    const other = await new TicketSource({ baseUrl: "http://hub.test", token: "tok", fetch: broken.fetch }).get("demo").catch((e: unknown) => e);
    expect(other).toBeInstanceOf(Error);
    expect(other).not.toBeInstanceOf(TicketDeniedError);
    expect((other as Error).message).toMatch(/503/);
  });
});
