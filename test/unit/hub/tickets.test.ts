import { describe, expect, it } from "vitest";
import { grants, issueTicket, ticketKey, verifyTicket } from "../../../worker/auth/tickets.ts";
import { secretsEqual } from "../../../worker/auth/constant-time.ts";

const NOW = 1_800_000_000;

describe("tickets", () => {
  it("round-trips claims and checks expiry", async () => {
    const key = await ticketKey("dash-token");
    const t = await issueTicket(key, { channels: ["a", "b"], exp: NOW + 600 });
    expect(t).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(await verifyTicket(key, t, NOW)).toEqual({ ok: true, claims: { channels: ["a", "b"], exp: NOW + 600 } });
    expect(await verifyTicket(key, t, NOW + 600)).toEqual({ ok: false, reason: "expired" });
  });

  it("rejects tampering and tickets signed with another key", async () => {
    const key = await ticketKey("dash-token");
    const t = await issueTicket(key, { channels: ["a"], exp: NOW + 600 });
    const [v, , sig] = t.split(".");
    const forged = `${v}.${btoa(JSON.stringify({ c: ["*"], exp: NOW + 600 })).replace(/=+$/, "")}.${sig}`;
    expect(await verifyTicket(key, forged, NOW)).toEqual({ ok: false, reason: "bad_signature" });
    expect(await verifyTicket(await ticketKey("rotated-token"), t, NOW)).toEqual({ ok: false, reason: "bad_signature" });
    expect(await verifyTicket(await ticketKey("dash-token", "explicit-secret"), t, NOW)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it.each(["", "v1", "v1.a", "v2.a.b", "v1.a.b.c", "v1.!!!.abc", "not-a-ticket"])("calls %j malformed", async (t) => {
    expect(await verifyTicket(await ticketKey("k"), t, NOW)).toEqual({ ok: false, reason: "malformed" });
  });

  it("grants named channels, or all with *", () => {
    expect(grants({ channels: ["a"], exp: 0 }, "a")).toBe(true);
    expect(grants({ channels: ["a"], exp: 0 }, "b")).toBe(false);
    expect(grants({ channels: ["*"], exp: 0 }, "b")).toBe(true);
  });

  it("compares secrets exactly", async () => {
    expect(await secretsEqual("abc", "abc")).toBe(true);
    expect(await secretsEqual("abc", "abd")).toBe(false);
    expect(await secretsEqual("abc", "abcd")).toBe(false);
  });
});
