import { describe, expect, it } from "vitest";
import { MaintenanceSchedule } from "../../../worker/channel/maintenance-schedule.ts";

const HOUR = 60 * 60 * 1000;
const T0 = 1_000_000;

describe("MaintenanceSchedule", () => {
  it("everything is due once after a wake; a periodic step then waits one interval", () => {
    const s = new MaintenanceSchedule(HOUR);
    expect(s.due(T0)).toStrictEqual(new Set(["trim", "purge", "tickets"]));
    s.ran("trim", T0);
    s.ran("purge", T0);
    s.ticketsRan(null);
    expect(s.due(T0 + 100)).toStrictEqual(new Set());
    expect(s.due(T0 + HOUR - 1)).toStrictEqual(new Set());
    expect(s.due(T0 + HOUR)).toStrictEqual(new Set(["trim", "purge"]));
  });

  it("a busy conflating channel (an alarm every 100 ms) trims once per interval", () => {
    const s = new MaintenanceSchedule(HOUR);
    let trims = 0;
    for (let t = T0; t < T0 + 2 * HOUR; t += 100) {
      if (s.due(t).has("trim")) {
        trims++;
        s.ran("trim", t);
      }
    }
    expect(trims).toBe(2);
  });

  it("the ticket check is due at the earliest expiry it found, or sooner when an earlier ticket joins", () => {
    const s = new MaintenanceSchedule(HOUR);
    expect(s.ticketsDueAtMs()).toBeUndefined();
    s.ticketsRan(T0 + 5000);
    expect(s.due(T0 + 4999).has("tickets")).toBe(false);
    expect(s.due(T0 + 5000).has("tickets")).toBe(true);
    s.ticketExpiresAt(T0 + 9000); // later: changes nothing
    expect(s.ticketsDueAtMs()).toBe(T0 + 5000);
    s.ticketExpiresAt(T0 + 2000);
    expect(s.ticketsDueAtMs()).toBe(T0 + 2000);
    s.ticketsRan(null); // no socket left
    expect(s.due(T0 + 10 * HOUR).has("tickets")).toBe(false);
    s.ticketExpiresAt(T0 + 3000);
    expect(s.due(T0 + 3000).has("tickets")).toBe(true);
  });

  it("before the first check since a wake, a joining ticket does not hide the sockets it has not seen", () => {
    const s = new MaintenanceSchedule(HOUR);
    s.ticketExpiresAt(T0 + HOUR);
    expect(s.ticketsDueAtMs()).toBeUndefined();
    expect(s.due(T0).has("tickets")).toBe(true);
  });
});
