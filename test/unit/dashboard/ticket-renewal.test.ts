import { describe, expect, it } from "vitest";
import { RENEWAL_RETRY_MS } from "../../../dashboard/src/lib/live/ticket-renewal.ts";
import { makeHarness, startLive } from "./harness.ts";

const authFrames = (sent: unknown[]) => sent.filter((f): f is { type: "auth"; ticket: string } => (f as { type?: string }).type === "auth");

describe("LiveChannel ticket renewal", () => {
  it("sends a fresh ticket in-band when the current one is due, and again for the next", async () => {
    const h = makeHarness();
    h.tickets.nextRefreshAtMs = h.clock.now() + 60_000;
    const socket = await startLive(h);
    await h.clock.run(59_000);
    expect(authFrames(socket.sentFrames)).toEqual([]);

    // No expire(): a renewal asks for a new ticket even if the source still has the old one cached.
    h.tickets.nextRefreshAtMs = h.clock.now() + 1_000 + 600_000;
    await h.clock.run(1_000);
    expect(authFrames(socket.sentFrames)).toEqual([{ type: "auth", ticket: "ticket-2" }]);
    socket.receive({ type: "auth-ok", expiresAt: "2026-01-01T00:10:00.000Z" });
    expect(h.live.status.phase).toBe("live");

    h.tickets.expire();
    await h.clock.run(600_000);
    expect(authFrames(socket.sentFrames).map((f) => f.ticket)).toEqual(["ticket-2", "ticket-3"]);
    expect(socket.state).not.toBe("closed");
  });

  it("retries a renewal whose ticket request failed, without dropping the connection", async () => {
    const h = makeHarness();
    h.tickets.nextRefreshAtMs = h.clock.now() + 30_000;
    const socket = await startLive(h);
    h.tickets.expire();
    h.tickets.mode = "fail";
    await h.clock.run(30_000);
    expect(authFrames(socket.sentFrames)).toEqual([]);
    expect(h.live.status.phase).toBe("live");
    h.tickets.mode = "ok";
    await h.clock.run(RENEWAL_RETRY_MS);
    expect(authFrames(socket.sentFrames)).toEqual([{ type: "auth", ticket: "ticket-2" }]);
  });

  it("ends in denied when the dashboard token was revoked meanwhile", async () => {
    const h = makeHarness();
    h.tickets.nextRefreshAtMs = h.clock.now() + 30_000;
    const socket = await startLive(h);
    h.tickets.expire();
    h.tickets.mode = "deny";
    await h.clock.run(30_000);
    expect(h.live.status.phase).toBe("denied");
    expect(h.live.status.message).toMatch(/^access denied: /);
    expect(socket.state).toBe("closed");
  });

  it("stops renewing when the connection ends", async () => {
    const h = makeHarness();
    h.tickets.nextRefreshAtMs = h.clock.now() + 30_000;
    const socket = await startLive(h);
    h.live.stop();
    h.tickets.expire();
    await h.clock.run(60_000);
    expect(authFrames(socket.sentFrames)).toEqual([]);
  });
});
