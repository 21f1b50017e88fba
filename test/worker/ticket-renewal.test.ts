/**
 * Access can be revoked: an open socket lives only as long as its ticket,
 * unless the client renews it in-band with {"type":"auth","ticket":…}.
 * The alarm closes sockets whose ticket expired with 4001.
 */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { CloseCode } from "../../protocol/index.ts";
import { issueTicket } from "../../worker/auth/tickets.ts";
import { ticketKeyFor } from "../../worker/auth/viewer-auth.ts";
import { readAttachment } from "../../worker/channel/socket-attachment.ts";
import { ev } from "../../dev/events.ts";
import { channelObject, send, uniqueChannel } from "./support/hub.ts";
import { SocketProbe } from "./support/socket-probe.ts";

afterEach(() => SocketProbe.closeAll());

const nowSeconds = () => Math.floor(Date.now() / 1000);
const ticketFor = async (channels: string[], ttlSeconds: number) => issueTicket(await ticketKeyFor(env), { channels, exp: nowSeconds() + ttlSeconds });

/** The ticket expiries stored on the channel's sockets, in connection order. */
async function storedExpiries(channel: string): Promise<number[]> {
  return runInDurableObject(channelObject(channel), (_instance, state) =>
    state.getWebSockets().map((ws) => readAttachment(ws.deserializeAttachment())?.ticketExp ?? -1),
  );
}

/**
 * Pretends the tickets that expire before `beforeSeconds` ran out, as time passing would; then restarts the object
 * (sockets kept), since a running one checks tickets only when the earliest expiry it knows of is due.
 */
async function expireStoredTickets(channel: string, beforeSeconds: number): Promise<number> {
  const expired = await runInDurableObject(channelObject(channel), (_instance, state) => {
    let expired = 0;
    for (const ws of state.getWebSockets()) {
      const attachment = readAttachment(ws.deserializeAttachment())!;
      if (attachment.ticketExp >= beforeSeconds) continue;
      ws.serializeAttachment({ ...attachment, ticketExp: nowSeconds() - 1 });
      expired++;
    }
    return expired;
  });
  await evictDurableObject(channelObject(channel), { webSockets: "hibernate" });
  return expired;
}

describe("ticket expiry on open sockets", () => {
  it("schedules the alarm by the ticket's expiry and closes only the expired socket with 4001", async () => {
    const channel = uniqueChannel("ticket-expiry");
    // Only a channel that exists sets alarms (see reads-never-write.test.ts for one that does not yet).
    await send(channel, ev.meta({ name: "expiry" }));
    const expiring = await SocketProbe.open(channel, { ticket: await ticketFor([channel], 120) });
    await expiring.waitForFrames(2);
    const staying = await SocketProbe.open(channel, { ticket: await ticketFor([channel], 600) });
    await staying.waitForFrames(2);

    const alarmAt = await runInDurableObject(channelObject(channel), (_i, state) => state.storage.getAlarm());
    expect(alarmAt).not.toBeNull();
    expect(alarmAt!).toBeLessThanOrEqual((nowSeconds() + 120) * 1000);

    expect(await expireStoredTickets(channel, nowSeconds() + 300)).toBe(1);
    expect(await runDurableObjectAlarm(channelObject(channel))).toBe(true);
    expect(await expiring.waitForClose()).toMatchObject({ code: CloseCode.UNAUTHORIZED, reason: "ticket expired" });
    expect(expiring.frames.at(-1)).toMatchObject({ type: "error", code: "unauthorized" });
    expect(staying.closed).toBeNull();
    // The remaining socket's expiry is the next deadline.
    const next = await runInDurableObject(channelObject(channel), (_i, state) => state.storage.getAlarm());
    expect(next!).toBeLessThanOrEqual((nowSeconds() + 600) * 1000);
  });

  it("renews a socket with an auth frame: auth-ok, the new expiry stored, and the alarm leaves it open", async () => {
    const channel = uniqueChannel("ticket-renew");
    const probe = await SocketProbe.open(channel, { ticket: await ticketFor([channel], 60) });
    await probe.waitForFrames(2);
    const fresh = await ticketFor(["*"], 900);
    probe.send(JSON.stringify({ type: "auth", ticket: fresh }));
    const [ok] = (await probe.waitFor("auth-ok", (frames) => frames.some((f) => f.type === "auth-ok"))).filter((f) => f.type === "auth-ok");
    const expected = (await storedExpiries(channel))[0]!;
    expect(expected).toBeGreaterThanOrEqual(nowSeconds() + 890);
    expect(ok).toStrictEqual({ type: "auth-ok", expiresAt: new Date(expected * 1000).toISOString() });

    await runDurableObjectAlarm(channelObject(channel));
    expect(probe.closed).toBeNull();
  });

  it("closes with 4001 on a renewal with a bad ticket, and 4003 on one for another channel", async () => {
    const channel = uniqueChannel("ticket-renew-bad");
    const bad = await SocketProbe.open(channel, { ticket: await ticketFor([channel], 600) });
    await bad.waitForFrames(2);
    bad.send(JSON.stringify({ type: "auth", ticket: "v1.forged.ticket" }));
    expect(await bad.waitForClose()).toMatchObject({ code: CloseCode.UNAUTHORIZED });
    expect(bad.frames.at(-1)).toMatchObject({ type: "error", code: "unauthorized" });

    const other = await SocketProbe.open(channel, { ticket: await ticketFor([channel], 600) });
    await other.waitForFrames(2);
    other.send(JSON.stringify({ type: "auth", ticket: await ticketFor(["somewhere-else"], 600) }));
    expect(await other.waitForClose()).toMatchObject({ code: CloseCode.FORBIDDEN });
    expect(other.frames.at(-1)).toMatchObject({ type: "error", code: "forbidden" });
  });
});
